/** Thrown when a token's storage must not be used at all (the slot is refused). */
export class StorageRefused extends Error {}
