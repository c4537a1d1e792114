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
    let private memberAddress = field Role.Member InvalidMember
    let private optionalTtr = { ttr with Arity = Optional }
    let private key = field Role.Key InvalidKey
    let private cron = field Role.Cron InvalidCron
    let private token = field Role.Token InvalidToken

    let private flag key role error = { Flag.Key = key; Flag.Role = role; Flag.Error = error }

    let private priority = flag "priority" Role.Priority InvalidPriority
    let private maxAttempts = flag "max-attempts" Role.MaxAttempts InvalidMaxAttempts
    let private maxFails = flag "max-fails" Role.MaxFails InvalidMaxFails
    let private backoff = flag "backoff" Role.Backoff InvalidBackoff
    let private jobFlags = [ priority; maxAttempts; maxFails; backoff ]
    let private retryIn = flag "retry-in" Role.RetryIn InvalidRetryIn
    let private counts = flag "counts" Role.Counts InvalidCounts
    let private newTtl = flag "ttl" Role.Ttl InvalidTtl
    let private overlap = flag "overlap" Role.Overlap InvalidOverlap

    type private Answer =
        | AtOnce
        | MayWait

    let private command word fields flags answer build =
        CommandSpec.create word ValueNone fields flags (answer = MayWait) build

    let private inspect object fields build =
        CommandSpec.create "inspect" (ValueSome object) fields [] false (build >> Inspect)

    /// Answered by the cluster off the engine, so they wait like a blocking command: the
    /// connection's later requests follow the answer.
    let private cluster object fields build =
        CommandSpec.create "cluster" (ValueSome object) fields [] true (build >> Cluster)

    let private newJob (a: Args) : NewJob =
        { Id = a.Id
          Name = a.Name
          Ttr = a.Ttr
          Ttl = a.Ttl
          Priority = a.Priority
          MaxAttempts = a.MaxAttempts
          MaxFails = a.MaxFails
          Backoff = a.Backoff
          Payload = a.Data }

    let private newRecurrence (a: Args) : NewRecurrence =
        { Key = a.Key
          Name = a.Name
          Ttr = a.Ttr
          Ttl = a.Ttl
          Cron = a.Cron
          Priority = a.Priority
          MaxAttempts = a.MaxAttempts
          MaxFails = a.MaxFails
          Backoff = a.Backoff
          Overlap = a.Overlap
          Payload = a.Data }

    let private runJob (a: Args) : RunJob =
        { Id = a.Id; Name = a.Name; Ttr = a.Ttr; Wait = a.Wait; Priority = a.Priority; Payload = a.Data }

    /// In the order of the protocol's description.
    let all: CommandSpec list =
        [ command "add" [ id; name; ttr; ttl; payloadSize ] jobFlags AtOnce (fun a -> Add(newJob a))
          command "schedule" [ id; name; ttr; ttl; time; payloadSize ] jobFlags AtOnce (fun a -> Schedule(newJob a, a.Time))
          command "run" [ id; name; ttr; wait; payloadSize ] [ priority ] MayWait (fun a -> Run(runJob a))
          command "result" [ id; wait ] [] MayWait (fun a -> Result(a.Id, a.Wait))
          command "lease" [ names; wait ] [ counts ] MayWait (fun a ->
              if a.Has Role.Counts then LeaseCounted(a.Names, a.Wait) else Lease(a.Names, a.Wait))
          command "complete" [ id; payloadSize ] [] AtOnce (fun a -> Complete(a.Id, a.Data))
          command "fail" [ id; resultSize ] [ retryIn ] AtOnce (fun a ->
              if a.Has Role.RetryIn then FailRetryIn(a.Id, a.Data, a.RetryIn) else Fail(a.Id, a.Data))
          command "delete" [ id ] [] AtOnce (fun a -> Delete a.Id)
          command "touch" [ id; optionalTtr ] [] AtOnce (fun a -> Touch(a.Id, a.Optional(Role.Ttr, a.Ttr)))
          command "requeue" [ id ] [ newTtl ] AtOnce (fun a -> Requeue(a.Id, a.Optional(Role.Ttl, a.Ttl)))
          command "requeue-failed" [ name ] [ newTtl ] AtOnce (fun a -> RequeueFailed(a.Name, a.Optional(Role.Ttl, a.Ttl)))
          command "recur" [ key; name; ttr; ttl; cron; payloadSize ] (jobFlags @ [ overlap ]) AtOnce (fun a ->
              Recur(newRecurrence a))
          command "unrecur" [ key ] [] AtOnce (fun a -> Unrecur a.Key)
          inspect "job" [ id ] (fun a -> InspectJob a.Id)
          inspect "jobs" [ name; offset; limit ] (fun a -> InspectJobs(a.Name, a.Page))
          inspect "scheduled-jobs" [ name; offset; limit ] (fun a -> InspectScheduledJobs(a.Name, a.Page))
          inspect "queue" [ name ] (fun a -> InspectQueue a.Name)
          inspect "queues" [ offset; limit ] (fun a -> InspectQueues a.Page)
          inspect "server" [] (fun _ -> InspectServer)
          inspect "failed-jobs" [ name; offset; limit ] (fun a -> InspectFailedJobs(a.Name, a.Page))
          inspect "recurring" [ offset; limit ] (fun a -> InspectRecurring a.Page)
          cluster "status" [] (fun _ -> ClusterStatus)
          cluster "add" [ memberAddress ] (fun a -> AddMember a.Member)
          cluster "remove" [ memberAddress ] (fun a -> RemoveMember a.Member)
          command "auth" [ token ] [] AtOnce (fun a -> Auth a.Token) ]

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

/// What the table tells of a command built from it: whether it may wait, and its word.
[<CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Command =
    /// A command tells its row by its union case. F# compiles each case with fields to a
    /// class of its own, and a row's build shows its cases' classes given nothing read and
    /// given every optional field and flag (a row may build another case when a flag is
    /// given, as `lease -counts=1` does): so a case's class leads to its row. Checked here,
    /// once: rows that build the same case must agree on whether it may wait and on its word.
    let private rows: (System.Type * CommandSpec) list =
        let everything = { Args.Empty with Given = ~~~0 }
        let rows =
            CommandTable.all
            |> List.collect (fun spec -> [ (spec.Build Args.Empty).GetType(), spec; (spec.Build everything).GetType(), spec ])
        for case, spec in rows do
            if rows |> List.exists (fun (other, s) -> other = case && (s.MayBlock <> spec.MayBlock || s.Name <> spec.Name)) then
                invalidOp ("The command table disagrees on whether " + case.Name + " may wait, or on its word")
        rows |> List.distinctBy fst

    /// The command words, in the table's order, each once (`inspect` stands for all its objects).
    let words: string[] = CommandTable.all |> List.map _.Name |> List.distinct |> Array.ofList

    let private waiting: System.Type[] = rows |> List.filter (snd >> _.MayBlock) |> List.map fst |> Array.ofList

    let private wordOfCase: (System.Type * int)[] =
        rows |> List.map (fun (case, spec) -> case, Array.findIndex ((=) spec.Name) words) |> Array.ofList

    let rec private isWaiting (case: System.Type) i =
        i < waiting.Length && (obj.ReferenceEquals(waiting[i], case) || isWaiting case (i + 1))

    /// Commands that may wait before answering. A connection sends nothing more to the
    /// engine until such a command is answered, so its replies stay in order.
    let mayBlock (command: Command) = isWaiting (command.GetType()) 0

    let rec private wordFrom (case: System.Type) i =
        let row, word = wordOfCase[i]
        if obj.ReferenceEquals(row, case) then word else wordFrom case (i + 1)

    /// The index in `words` of the word the command was sent with. Allocates nothing.
    let wordIndex (command: Command) : int = wordFrom (command.GetType()) 0
