/** Why the deployment package could not be built, in words that say what to run to fix it. */
export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}
