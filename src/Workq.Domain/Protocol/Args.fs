namespace Workq.Domain

open System

/// A request's values, each in the slot of its role. A reader fills one in place, a
/// local of its own, field by field and flag by flag; a command's build then takes the
/// slots its fields and flags name. A flag that was not given keeps the slot's default,
/// which is the flag's default. A struct with settable slots, so that filling it neither
/// allocates nor copies it at every step (measured: with a copy per step the plain form
/// read an `add` a third slower); being a struct, a copy never changes another.
[<Struct; RequireQualifiedAccess; NoEquality; NoComparison>]
type Args =
    { mutable Id: JobId
      mutable Name: JobName
      mutable Names: JobName list
      mutable Ttr: Ttr
      mutable Ttl: Ttl
      mutable Wait: WaitTimeout
      mutable Time: Instant
      mutable Offset: uint32
      mutable Limit: int
      mutable Data: byte[]
      mutable Priority: int
      mutable MaxAttempts: Limit
      mutable MaxFails: Limit
      /// The optional fields and the flags given, a bit each by role.
      mutable Given: int }

    /// Whether an optional field or a flag was given: how a build tells it from one left
    /// out.
    member a.Has(role: Role) = a.Given &&& Role.bit role <> 0

    member a.Page: Page = { Offset = a.Offset; Limit = a.Limit }

    /// Nothing read yet: the flags at their defaults.
    static member Empty =
        { Args.Id = Unchecked.defaultof<JobId>
          Args.Name = Unchecked.defaultof<JobName>
          Args.Names = []
          Args.Ttr = Unchecked.defaultof<Ttr>
          Args.Ttl = Unchecked.defaultof<Ttl>
          Args.Wait = WaitTimeout.none
          Args.Time = 0L<ms>
          Args.Offset = 0u
          Args.Limit = 0
          Args.Data = Array.Empty<byte>()
          Args.Priority = 0
          Args.MaxAttempts = Limit.zero
          Args.MaxFails = Limit.zero
          Args.Given = 0 }
