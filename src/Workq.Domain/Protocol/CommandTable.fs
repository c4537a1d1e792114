namespace Workq.Domain

/// Every request Workq reads: its words, positional fields, flags, whether data follows
/// and whether it may wait, and the command its values make. Framing, the plain-form
/// reader and the grammar all read lines by this table; none of them knows a command.
module CommandTable =
    let private field role error = { Field.Role = role; Field.Arity = One; Field.Error = error }

    let private id = field Role.Id InvalidId
    let private name = field Role.Name InvalidName
    let private names = { field Role.Names InvalidName with Arity = OneOrMore }
    let private ttr = field Role.Ttr InvalidTtr
    let private ttl = field Role.Ttl InvalidTtl
    let private wait = field Role.Wait InvalidWaitTimeout
    let private time = field Role.Time InvalidTime
    let private offset = field Role.Offset InvalidCursorOffset
    let private limit = field Role.Limit InvalidLimit
    let private payloadSize = field Role.Size InvalidPayloadSize
    let private resultSize = field Role.Size InvalidResultSize

    let private flag key role error = { Flag.Key = key; Flag.Role = role; Flag.Error = error }

    let private priority = flag "priority" Role.Priority InvalidPriority
    let private maxAttempts = flag "max-attempts" Role.MaxAttempts InvalidMaxAttempts
    let private maxFails = flag "max-fails" Role.MaxFails InvalidMaxFails
    let private jobFlags = [ priority; maxAttempts; maxFails ]

    type private Answer =
        | AtOnce
        | MayWait

    let private command word fields flags answer build =
        CommandSpec.create word ValueNone fields flags (answer = MayWait) build

    let private inspect object fields build =
        CommandSpec.create "inspect" (ValueSome object) fields [] false (build >> Inspect)

    let private newJob (a: Args) : NewJob =
        { Id = a.Id
          Name = a.Name
          Ttr = a.Ttr
          Ttl = a.Ttl
          Priority = a.Priority
          MaxAttempts = a.MaxAttempts
          MaxFails = a.MaxFails
          Payload = a.Data }

    let private runJob (a: Args) : RunJob =
        { Id = a.Id; Name = a.Name; Ttr = a.Ttr; Wait = a.Wait; Priority = a.Priority; Payload = a.Data }

    /// In the order of the protocol's description.
    let all: CommandSpec list =
        [ command "add" [ id; name; ttr; ttl; payloadSize ] jobFlags AtOnce (fun a -> Add(newJob a))
          command "schedule" [ id; name; ttr; ttl; time; payloadSize ] jobFlags AtOnce (fun a -> Schedule(newJob a, a.Time))
          command "run" [ id; name; ttr; wait; payloadSize ] [ priority ] MayWait (fun a -> Run(runJob a))
          command "result" [ id; wait ] [] MayWait (fun a -> Result(a.Id, a.Wait))
          command "lease" [ names; wait ] [] MayWait (fun a -> Lease(a.Names, a.Wait))
          command "complete" [ id; payloadSize ] [] AtOnce (fun a -> Complete(a.Id, a.Data))
          command "fail" [ id; resultSize ] [] AtOnce (fun a -> Fail(a.Id, a.Data))
          command "delete" [ id ] [] AtOnce (fun a -> Delete a.Id)
          inspect "job" [ id ] (fun a -> InspectJob a.Id)
          inspect "jobs" [ name; offset; limit ] (fun a -> InspectJobs(a.Name, a.Page))
          inspect "scheduled-jobs" [ name; offset; limit ] (fun a -> InspectScheduledJobs(a.Name, a.Page))
          inspect "queue" [ name ] (fun a -> InspectQueue a.Name)
          inspect "queues" [ offset; limit ] (fun a -> InspectQueues a.Page)
          inspect "server" [] (fun _ -> InspectServer) ]

    /// The commands named by their word alone, for the readers that look them up on every
    /// request.
    let private commands = all |> List.filter (fun spec -> spec.Object.IsNone) |> Array.ofList

    let rec private findFrom i (line: string) (start: int) (length: int) =
        if i = commands.Length then ValueNone
        else
            let word = commands[i].Name
            if word.Length = length && System.String.CompareOrdinal(line, start, word, 0, length) = 0 then
                ValueSome commands[i]
            else findFrom (i + 1) line start length

    /// The command, not an object of a group such as `inspect`, whose word is the `length`
    /// characters of `line` from `start`. Allocates nothing: every request is looked up.
    let tryCommandAt (line: string) (start: int) (length: int) : CommandSpec voption = findFrom 0 line start length

    let tryCommand (word: string) = tryCommandAt word 0 word.Length

    /// The objects of a group of commands such as `inspect`; empty for any other word.
    let objectsOf (word: string) : CommandSpec list =
        all |> List.filter (fun spec -> spec.Object.IsSome && spec.Name = word)

/// Which commands may wait, from the table.
[<CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Command =
    /// A command tells its row by its union case. F# compiles each case with fields to a
    /// class of its own, and a row's build, given nothing read, shows its case's class:
    /// so the classes of the rows that may wait are the commands that may wait. Checked
    /// here, once: rows that build the same case must agree.
    let private waiting: System.Type[] =
        let rows = CommandTable.all |> List.map (fun spec -> (spec.Build Args.Empty).GetType(), spec.MayBlock)
        for case, mayBlock in rows do
            if rows |> List.exists (fun (other, m) -> other = case && m <> mayBlock) then
                invalidOp ("The command table disagrees on whether " + case.Name + " may wait")
        rows |> List.filter snd |> List.map fst |> List.distinct |> Array.ofList

    let rec private isWaiting (case: System.Type) i =
        i < waiting.Length && (obj.ReferenceEquals(waiting[i], case) || isWaiting case (i + 1))

    /// Commands that may wait before answering. A connection sends nothing more to the
    /// engine until such a command is answered, so its replies stay in order.
    let mayBlock (command: Command) = isWaiting (command.GetType()) 0
