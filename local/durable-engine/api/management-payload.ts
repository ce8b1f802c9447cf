/**
 * The URLs the Durable Functions extension hands out: the management payload of one instance
 * (statusQueryGetUri, sendEventPostUri, ...) and the URL templates of the durable client binding.
 */
export interface ManagementLinks {
  /** Absolute URL of the webhook root, e.g. http://127.0.0.1:7071/runtime/webhooks/durabletask */
  baseUrl: string;
  taskHubName: string;
  /** Appended to every URL, e.g. "code=local-key"; empty for none. */
  requiredQuery: string;
}

export const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export function managementPayload(links: ManagementLinks, instanceId: string): HttpManagementPayload {
  const hub = `taskHub=${encodeURIComponent(links.taskHubName)}&connection=Storage${links.requiredQuery ? `&${links.requiredQuery}` : ''}`;
  const instance = `${links.baseUrl}/instances/${instanceId === INSTANCE_ID_PLACEHOLDER ? instanceId : encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${hub}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${hub}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${hub}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${hub}`,
    purgeHistoryDeleteUri: `${instance}?${hub}`,
    restartPostUri: `${instance}/restart?${hub}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${hub}`,
    resumePostUri: `${instance}/resume?reason={text}&${hub}`,
  };
}

export interface DurableClientBindingData {
  taskHubName: string;
  creationUrls: { createNewInstancePostUri: string; waitOnNewInstancePostUri: string };
  managementUrls: HttpManagementPayload;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl?: string;
}

/** The value durable-functions' `df.getClient(context)` reads from the durableClient input binding. */
export function durableClientBindingData(links: ManagementLinks, rpcBaseUrl?: string): DurableClientBindingData {
  const query = links.requiredQuery ? `?${links.requiredQuery}` : '';
  const and = links.requiredQuery ? `&${links.requiredQuery}` : '';
  return {
    taskHubName: links.taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${links.baseUrl}/orchestrators/{functionName}[/{instanceId}]${query}`,
      waitOnNewInstancePostUri: `${links.baseUrl}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}${and}`,
    },
    managementUrls: managementPayload(links, INSTANCE_ID_PLACEHOLDER),
    baseUrl: links.baseUrl,
    requiredQueryStringParameters: links.requiredQuery,
    rpcBaseUrl,
  };
}
