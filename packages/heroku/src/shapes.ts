// What the Platform API's answers look like, checked where they arrive: a server that is not Heroku
// (a wrong api-url answering 200 with something else) is named as such instead of crashing later
// ("Cannot read properties of undefined (reading 'put_url')").
import { z } from 'zod';

/** Every Platform API resource has an id. */
export const herokuResource = z.looseObject({ id: z.string() });
const herokuList = z.array(herokuResource);
/** A resource or a list of them (checked as whichever it claims to be, so the message names the field). */
export const herokuAnswer = {
  safeParse: (value: unknown) => (Array.isArray(value) ? herokuList : herokuResource).safeParse(value),
};
export const herokuSourceShape = z.looseObject({
  source_blob: z.looseObject({ get_url: z.string(), put_url: z.string() }),
});
export const herokuBuildShape = z.looseObject({ id: z.string(), status: z.string() });
/** Config vars: names to strings (the config-vars resource has no id). */
export const herokuConfigShape = z.record(z.string(), z.string());
