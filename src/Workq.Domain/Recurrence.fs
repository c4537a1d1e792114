namespace Workq.Domain

open System
open System.Security.Cryptography
open System.Text

/// A recurring definition as the server keeps it: what `recur` set, and where it stands.
type Recurrence =
    { Spec: NewRecurrence
      /// Its arrival number: recurrences due at the same instant fire in this order.
      Seq: int64
      /// When it was set.
      Created: Instant
      /// Its next occurrence; None when its expression has no more.
      Next: Instant option
      /// The job of its latest occurrence, once one was added: `-overlap=skip` waits for it.
      Last: JobId option }

module Recurrence =
    /// The bytes a definition holds that a client chooses the size of, its payload and its
    /// expression: what it counts against the stored-bytes limit, as a job counts its payload.
    let storedBytesOf (spec: NewRecurrence) = spec.Payload.LongLength + int64 spec.Cron.Token.Length

    let storedBytes (r: Recurrence) = storedBytesOf r.Spec

    /// The namespace of occurrence ids, hashed in before the name, as RFC 9562 has
    /// name-based UUIDs do, so that they meet no other name-based id.
    let private idNamespace = Guid.Parse "3c6f1d2a-9b4e-4f0a-8d7c-5e2b1a0f9c84"

    /// The job id of the occurrence of `key` at `at`: a UUID version 8 whose bits are the
    /// first 128 of SHA-256 over the namespace's 16 bytes (big-endian) and the ASCII text
    /// `<key> <YYYY-MM-DDTHH:MM:SS.fffZ>`, with its version and variant set. The same key
    /// and instant always give the same id, on every server and at every replay, so an
    /// occurrence can be added only once.
    let occurrenceId (key: JobName) (at: Instant) : JobId =
        let name = Encoding.ASCII.GetBytes(key.Value + " " + Time.formatPrecise at)
        let hash = SHA256.HashData(Array.append (idNamespace.ToByteArray(bigEndian = true)) name)
        hash[6] <- (hash[6] &&& 0x0Fuy) ||| 0x80uy
        hash[8] <- (hash[8] &&& 0x3Fuy) ||| 0x80uy
        match JobId.ofGuid (Guid(ReadOnlySpan(hash, 0, 16), bigEndian = true)) with
        | Some id -> id
        | None -> invalidOp "a version 8 UUID of the RFC 9562 variant is a job id"
