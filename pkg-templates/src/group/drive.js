// A group's calls are written once, as generators that yield the member
// requests they need ({ member, req }, or an array of them to run at once)
// and get back outcomes; these two drivers run them synchronously (the
// C_* calls of pkcs11js, blocking on thread members) or asynchronously
// (the ...Async forms, so that calls on several members overlap).
// An outcome: { ok: true, res } | { ok: false, rv, res } (the engine's
// CK_RV) | { lost: true } (the member failed; the group has marked it).

export function runSync(group, gen) {
  let input;
  for (;;) {
    const { value, done } = gen.next(input);
    if (done) return value;
    if (Array.isArray(value)) {
      const waits = value.map((step) => startSync(group, step));
      input = waits.map((wait) => wait());
    } else {
      input = oneSync(group, value);
    }
  }
}

function oneSync(group, step) {
  const { member } = step;
  member.inFlight++;
  let res;
  let error;
  try {
    res = member.run(step.req);
  } catch (e) {
    error = e;
  }
  member.inFlight--;
  return group.outcome(step, res, error);
}

function startSync(group, step) {
  const { member, req } = step;
  member.inFlight++;
  let pending;
  try {
    pending = member.begin(req);
  } catch (e) {
    member.inFlight--;
    const o = group.outcome(step, undefined, e);
    return () => o;
  }
  return () => {
    let res;
    let error;
    try {
      res = pending.wait();
    } catch (e) {
      error = e;
    }
    member.inFlight--;
    return group.outcome(step, res, error);
  };
}

export async function runAsync(group, gen) {
  let input;
  for (;;) {
    const { value, done } = gen.next(input);
    if (done) return value;
    input = Array.isArray(value) ? await Promise.all(value.map((step) => oneAsync(group, step))) : await oneAsync(group, value);
  }
}

async function oneAsync(group, step) {
  const { member, req } = step;
  member.inFlight++;
  let res;
  let error;
  try {
    res = await member.runAsync(req);
  } catch (e) {
    error = e;
  }
  member.inFlight--;
  return group.outcome(step, res, error);
}
