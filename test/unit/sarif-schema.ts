/** The SARIF 2.1.0 subset Fang emits and tools read: the contract of docs/design. */
import { z } from 'zod';

const region = z.object({
  startLine: z.number().int().min(1),
  startColumn: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});
const physicalLocation = z.object({
  artifactLocation: z.object({ uri: z.string().min(1).refine((u) => !u.startsWith('/'), 'uri is relative'), uriBaseId: z.string().optional() }),
  region,
});
const category = z.enum(['self-invocation', 'model-output-execution', 'recursive-spawning']);

export const sarifSchema = z.object({
  version: z.literal('2.1.0'),
  $schema: z.string().url(),
  runs: z
    .array(
      z.object({
        tool: z.object({
          driver: z.object({
            name: z.literal('fang'),
            version: z.string(),
            rules: z
              .array(
                z
                  .object({
                    id: z.string(),
                    helpUri: z.string().url().optional(),
                    help: z.object({ text: z.string().min(1), markdown: z.string().optional() }).optional(),
                    defaultConfiguration: z.object({ level: z.enum(['error', 'warning', 'note']) }),
                    properties: z.object({ category }),
                  })
                  .refine((r) => r.helpUri || r.help, 'every rule has helpUri or help'),
              )
              .min(1),
          }),
        }),
        invocations: z.array(
          z.object({
            executionSuccessful: z.boolean(),
            toolExecutionNotifications: z.array(z.object({ level: z.string(), message: z.object({ text: z.string() }) })),
          }),
        ),
        results: z.array(
          z.object({
            ruleId: z.string(),
            level: z.enum(['error', 'warning', 'note']),
            message: z.object({ text: z.string().min(1) }),
            locations: z.array(z.object({ physicalLocation })).length(1),
            relatedLocations: z.array(z.object({ id: z.number().int(), physicalLocation, message: z.object({ text: z.string() }) })),
            partialFingerprints: z.object({ 'fang/v1': z.string().regex(/^[0-9a-f]{32}$/) }),
            properties: z.object({ category }),
            suppressions: z
              .array(z.object({ kind: z.enum(['inSource', 'external']), status: z.enum(['accepted', 'underReview', 'rejected']).optional(), justification: z.string().optional(), location: z.object({ physicalLocation }).optional() }))
              .optional(),
          }),
        ),
      }),
    )
    .length(1),
});
