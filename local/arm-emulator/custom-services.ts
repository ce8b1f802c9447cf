/**
 * Custom services of a compute instance (Azure ML's `customServices`: a container from an image, such
 * as RStudio, with the endpoints it publishes). The emulator keeps their names and, once the instance
 * is provisioned, lists each among the instance's applications under its name, as Azure does; its
 * page is a stand-in on the lab listener.
 */
import { z } from 'zod';
import { badRequest } from './arm-error';

/** A custom service's name: letters, digits, `-` and `_`, starting with a letter or digit. */
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const CustomServiceSchema = z.looseObject({
  name: z.string().regex(SERVICE_NAME, 'must be 1-64 letters, digits, "-" or "_"'),
  image: z.looseObject({ type: z.enum(['docker', 'azureml']).optional(), reference: z.string().min(1) }),
  endpoints: z
    .array(z.looseObject({
      name: z.string().min(1),
      protocol: z.enum(['tcp', 'udp', 'http']).optional(),
      target: z.number().int().min(1).max(65535).optional(),
      published: z.number().int().min(1).max(65535).optional(),
    }))
    .nullish(),
});

const CustomServicesSchema = z.array(CustomServiceSchema).nullish();

/** ARM's 400 naming what is wrong with a create body's custom services, if anything. */
export function checkCustomServices(inner: Record<string, unknown>): void {
  const parsed = CustomServicesSchema.safeParse(inner.customServices);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `customServices.${issue.path.join('.')}: ${issue.message}`);
    throw badRequest(`The request content is not valid: ${problems.join('; ')}.`, 'InvalidRequestContent');
  }
  const services = parsed.data ?? [];
  const seen = new Set<string>();
  for (const service of services) {
    const key = service.name.toLowerCase();
    if (seen.has(key)) throw badRequest(`Custom service names must be unique; '${service.name}' is given twice.`);
    seen.add(key);
  }
}
