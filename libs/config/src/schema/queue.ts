// `queue:` — the Redis that carries BullMQ jobs, the key prefix and the names of the write and
// maintenance queues. Producers, workers and the Python integration must agree on all four.
import { z } from 'zod';
import { text, urlField } from './fields.ts';

const queueName = text.refine((name) => !name.includes(':'), {
  message: 'contains ":"',
  params: { fix: 'BullMQ queue names cannot contain ":"; use letters, digits and -' },
});

export const QueueSchema = z
  .strictObject({
    /** redis:// or rediss:// URL; a password belongs in an `${env:…}` reference. */
    redis_url: urlField(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    /** BullMQ key prefix: every key of floe's queues starts with it. */
    prefix: text.default('floe'),
    write_queue: queueName.default('floe-write'),
    maintenance_queue: queueName.default('floe-maintenance'),
  })
  .superRefine((queue, ctx) => {
    if (queue.write_queue === queue.maintenance_queue) {
      ctx.addIssue({
        code: 'custom',
        path: ['maintenance_queue'],
        message: `is the same queue as write_queue ("${queue.write_queue}")`,
        params: { fix: 'give the maintenance queue its own name, e.g. floe-maintenance' },
      });
    }
  });

export type QueueConfig = z.output<typeof QueueSchema>;
