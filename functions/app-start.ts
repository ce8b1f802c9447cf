import { app } from '@azure/functions';
import { dependencies } from '../shared/composition-root';
import { consoleLog } from '../shared/logging/log-events';

/** Validates every setting when the app starts, so a bad configuration is reported once, by name, at boot. */
app.hook.appStart(async (context) => {
  try {
    await dependencies();
  } catch (error) {
    context.hookData.configurationError = error instanceof Error ? error.message : String(error);
    consoleLog.error('settings.invalid', { detail: context.hookData.configurationError as string });
  }
});
