module Workq.Domain.Decide

let decide (now: Instant) (input: Input) (state: State) : Decision = failwith "TODO"
