// Type-level checks of drover/client, run by `npm test`'s type check (tsc), not at run time: a service
// client typed from its module checks method names, params and results in the editor. Every
// `@ts-expect-error` below must be an error, or tsc fails the build ("unused directive").
import type { Client } from "../../src/client/index.ts";
import type math from "../dispatch/fixtures/math.ts";

export async function typedCalls(client: Client): Promise<void> {
  const service = client.service<typeof math>("math");
  const sum: number = await service.call("add", { a: 1, b: 2 });
  const bytes: Buffer = await service.call("bytes", { size: 4 });
  // @ts-expect-error: no such method
  await service.call("substract", { a: 1, b: 2 });
  // @ts-expect-error: params of the wrong shape
  await service.call("add", { a: "1", b: 2 });
  // @ts-expect-error: the result is a number, not a string
  const wrong: string = await service.call("add", { a: 1, b: 2 });
  const session = await service.session({ reconnect: true });
  const counted: { count: number } = await session.call("count", undefined);
  // @ts-expect-error: sessions are typed alike
  await session.call("nope", undefined);
  void [sum, bytes, wrong, counted];
}
