import { app } from '@azure/functions';
import { productionRoot } from '../shared/composition-root';
import { consoleLog } from '../shared/logging/log-events';

/**
 * Builds the app's services once when the app starts (every setting validated, the tables made),
 * so a bad configuration is reported once, by name, at boot.
 */
app.hook.appStart(async (context) => {
  try {
    await productionRoot();
  } catch (error) {
    context.hookData.configurationError = error instanceof Error ? error.message : String(error);
    consoleLog.error('settings.invalid', { detail: context.hookData.configurationError as string });
  }
});
