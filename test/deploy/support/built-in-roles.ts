/**
 * Azure built-in role definition ids, checked against Azure's published list of built-in roles.
 * Ids are the same in every tenant and cloud, so a wrong one is a real bug: the assignment fails,
 * or worse, grants another role.
 */
export const BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  'AzureML Compute Operator': 'e503ece1-11d0-4e8e-8e2c-7a6c3bf38815',
  'AzureML Data Scientist': 'f6c7c914-8db3-469d-8ca1-694a8f32e121',
};

/**
 * Built-in roles the control plane must never hold, and why the templates use narrower ones.
 */
export const NEVER_GRANTED: Record<string, string> = {
  'Storage Account Contributor': 'a management role that can list the account keys; the data roles are enough',
  Contributor: 'far more than compute instances',
  Owner: 'can grant itself anything',
  Reader: 'at subscription scope it reveals every resource group, i.e. every project, whatever was granted',
  'AzureML Compute Operator': 'computes/* includes listing compute keys and managing clusters; the custom project role lists exactly what the code calls',
};

export function roleNameOf(id: string): string | undefined {
  return Object.entries(BUILT_IN_ROLES).find(([, roleId]) => roleId === id.toLowerCase())?.[0];
}

/** "Storage Blob Data Owner" → "storageBlobDataOwner", the key the templates use in their roleIds variable. */
export function roleKey(name: string): string {
  const words = name.replace(/[^A-Za-z0-9 ]/g, '').split(' ');
  return words.map((word, index) => (index === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1))).join('');
}
