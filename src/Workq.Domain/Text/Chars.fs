/// The character classes of the protocol's values, shared by the values' own checks and
/// every reader of command lines.
module Workq.Domain.Chars

/// `0`–`9` only: the protocol's numbers are ASCII digits, never other Unicode digits.
let isDigit (c: char) = c >= '0' && c <= '9'

let isHex (c: char) = isDigit c || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')

/// The characters of a queue name: `[A-Za-z0-9_.-]`.
let isNameChar (c: char) =
    isDigit c || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c = '_' || c = '.' || c = '-'
