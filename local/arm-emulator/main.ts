/**
 * `node dist/local/arm-emulator/main.js`: runs the ARM emulator alone, configured by the EMULATOR_*
 * environment variables (README.md), and prints one line with its URL. Ctrl-C stops it.
 */
import { optionsFromEnv, startArmEmulator } from './index';

async function main(): Promise<void> {
  const emulator = await startArmEmulator(optionsFromEnv(process.env));
  process.stdout.write(
    `ARM emulator listening on ${emulator.url}, lab pages on ${emulator.labUrl} (subscription ${emulator.subscriptionId}; ` +
      `IDENTITY_ENDPOINT=${emulator.identityEndpoint} IDENTITY_HEADER=${emulator.identityHeader} NODE_EXTRA_CA_CERTS=${emulator.caPath})\n`,
  );
  const shutdown = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`ARM emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
