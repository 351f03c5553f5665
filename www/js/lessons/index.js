// The lessons, in order.
import seed from "./l1-seed.js";
import sessions from "./l2-sessions.js";
import users from "./l3-users.js";
import attributes from "./l4-attributes.js";
import sign from "./l5-sign.js";
import wrap from "./l6-wrap.js";
import storage from "./l7-storage.js";

export const LESSONS = [seed, sessions, users, attributes, sign, wrap, storage];
