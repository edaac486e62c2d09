const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes `%XX` escapes as UTF-8 and leaves `+` as it is, like
 * `decodeURIComponent` but without throwing: an escape that is not two hex
 * digits, or bytes that do not form valid UTF-8, stay in the text as written.
 */
export function urlDecode(text: string): string {
  if (!text.includes("%")) return text;
  return decode(text, false);
}

/**
 * Decodes form encoding (`application/x-www-form-urlencoded`): `+` becomes a
 * space, then `%XX` escapes are decoded as in {@link urlDecode}.
 */
export function formDecode(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  return decode(text, true);
}

/** Operations whose log lines carry the key URL-encoded once, not twice. */
const SINGLE_ENCODED_OPERATIONS = new Set([
  "BATCH.DELETE.OBJECT",
  "S3.EXPIRE.OBJECT",
]);

/**
 * Returns the real object key from the `key` field of a log record. S3 writes
 * the key form-encoded (a space as `+`, a `+` as `%2B`), and encodes it a
 * second time for most operations, so `=` appears as `%253D`. The two
 * exceptions, BATCH.DELETE.OBJECT and S3.EXPIRE.OBJECT, are encoded once.
 * For example `foo-%2525Y` is `foo-%Y` for REST.GET.OBJECT but `foo-%25Y`
 * for S3.EXPIRE.OBJECT.
 */
export function decodeKey(key: string, operation: string | null): string {
  // NOTE: only these two operations are known to be encoded once. Other
  // internal S3.* operations (transitions, delete markers) are decoded twice,
  // which no sample log has confirmed or ruled out.
  if (operation !== null && SINGLE_ENCODED_OPERATIONS.has(operation)) {
    return formDecode(key);
  }
  return formDecode(urlDecode(key));
}

function decode(text: string, plusIsSpace: boolean): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === "+" && plusIsSpace) {
      result += " ";
      index++;
    } else if (char === "%" && hexByteAt(text, index) >= 0) {
      // Collect the run of escapes, then decode it one UTF-8 sequence at a time.
      const bytes: number[] = [];
      while (hexByteAt(text, index + bytes.length * 3) >= 0) {
        bytes.push(hexByteAt(text, index + bytes.length * 3));
      }
      result += decodeBytes(text.slice(index, index + bytes.length * 3), bytes);
      index += bytes.length * 3;
    } else {
      result += char;
      index++;
    }
  }
  return result;
}

/** Returns the byte of the `%XX` escape at `index`, or -1 when there is none. */
function hexByteAt(text: string, index: number): number {
  if (text[index] !== "%") return -1;
  const hex = text.slice(index + 1, index + 3);
  return /^[0-9A-Fa-f]{2}$/.test(hex) ? parseInt(hex, 16) : -1;
}

/**
 * Decodes the bytes of an escape run. Each byte that does not start a valid
 * UTF-8 sequence is kept as its original three-character escape.
 */
function decodeBytes(escapes: string, bytes: readonly number[]): string {
  let result = "";
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes[index]!);
    let decoded: string | null = null;
    if (length > 0 && index + length <= bytes.length) {
      try {
        decoded = utf8.decode(
          Uint8Array.from(bytes.slice(index, index + length)),
        );
      } catch {
        decoded = null;
      }
    }
    if (decoded === null) {
      result += escapes.slice(index * 3, index * 3 + 3);
      index++;
    } else {
      result += decoded;
      index += length;
    }
  }
  return result;
}

/** Returns the length of the UTF-8 sequence a lead byte starts, or 0. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
