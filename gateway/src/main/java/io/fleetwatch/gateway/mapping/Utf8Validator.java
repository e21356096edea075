package io.fleetwatch.gateway.mapping;

/**
 * Strict UTF-8 well-formedness check (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
 * without decoding or allocating. Input: raw bytes. Output: offset of the first ill-formed sequence, or -1.
 */
final class Utf8Validator {
  private Utf8Validator() {}

  /** Offset of the first byte that starts an ill-formed sequence, or -1 when all of {@code bytes} is UTF-8. */
  static int firstInvalidOffset(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (i < n) {
      int lead = bytes[i] & 0xFF;
      if (lead < 0x80) {
        i++;
        continue;
      }
      int continuation;
      if (lead >= 0xC2 && lead <= 0xDF) {
        continuation = 1;
      } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuation = 2;
      } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuation = 3;
      } else {
        return i;
      }
      if (i + continuation >= n) {
        return i;
      }
      int second = bytes[i + 1] & 0xFF;
      int low = 0x80;
      int high = 0xBF;
      if (lead == 0xE0) {
        low = 0xA0; // overlong 3-byte form
      } else if (lead == 0xED) {
        high = 0x9F; // UTF-16 surrogates
      } else if (lead == 0xF0) {
        low = 0x90; // overlong 4-byte form
      } else if (lead == 0xF4) {
        high = 0x8F; // above U+10FFFF
      }
      if (second < low || second > high) {
        return i;
      }
      for (int k = 2; k <= continuation; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return i;
        }
      }
      i += continuation + 1;
    }
    return -1;
  }

  /** Offset of the first NUL byte, or -1. JSON never contains a raw NUL; rejecting it also stops UTF-16/32 guessing. */
  static int firstNulOffset(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
