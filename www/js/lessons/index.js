// The lessons, in order. A new lesson is one more file and one more entry
// here; the lesson list, the "Lesson n of N" line and the tests follow.
import seed from "./seed.js";
import sessions from "./sessions.js";
import users from "./users.js";
import attributes from "./attributes.js";
import sign from "./sign.js";
import wrap from "./wrap.js";
import find from "./find-again.js";
import storage from "./storage.js";
import conventions from "./conventions.js";
import tokens from "./tokens.js";
import groups from "./groups.js";

export const LESSONS = [seed, sessions, users, attributes, sign, wrap, find, storage, conventions, tokens, groups];
