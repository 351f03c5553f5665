// The member side of a ThreadMember: in its own worker, one MemberHost
// (host.js) answers the group's requests, in order. A synchronous request's
// answer is written into the shared channel the caller is blocked on; an
// async one goes back by message; storage events go back by message.
import { ChannelWriter } from "./channel.js";
import { encode } from "./codec.js";
import { ASYNC_OPS, MemberHost } from "./host.js";

/**
 * `port`: { post(msg), onmessage(fn), exit(code), onExit(fn) } of this
 * worker; `init`: { storage, config, sab } from ThreadMember.start.
 */
export function serveMember(port, init) {
  const writer = new ChannelWriter(init.sab);
  port.onExit(() => writer.dead());
  let host;
  let broken;
  try {
    host = new MemberHost(init.storage, init.config, (event) => port.post({ event }));
  } catch (e) {
    broken = e;
  }
  port.onmessage(async ({ id, req, sync }) => {
    if (req.op === "fault" && req.kind === "crash") {
      writer.dead();
      port.exit(1);
      return;
    }
    if (req.op === "fault" && req.kind === "hang") {
      const until = Date.now() + req.ms;
      while (Date.now() < until); // a member that stops answering (tests the call timeout)
      return;
    }
    let result;
    try {
      if (broken) throw broken;
      result = ASYNC_OPS.has(req.op) ? await host.handleAsync(req) : host.handle(req);
    } catch (e) {
      result = e instanceof TypeError ? { typeError: e.message } : { failure: String(e?.message ?? e) };
    }
    if (sync) writer.write(encode({ id, result }));
    else port.post({ id, result });
  });
}
