export class RouteTemplateError extends Error {
  constructor(template: string, problem: string) {
    super(`Invalid route template "${template}": ${problem}`);
    this.name = 'RouteTemplateError';
  }
}
