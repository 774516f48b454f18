// What Vercel's answers look like, checked where they arrive: a server that is not Vercel (a wrong
// api-url answering 200) is named as such, instead of a wait that ends in "deployment undefined".
import { z } from 'zod';

export const projectShape = z.looseObject({ id: z.string(), name: z.string() });
export const deploymentShape = z.looseObject({ id: z.string(), url: z.string(), readyState: z.string().optional() });
export const deploymentListShape = z.looseObject({ deployments: z.array(z.looseObject({ uid: z.string() })) });
export const eventsShape = z.array(z.looseObject({ type: z.string() }));
