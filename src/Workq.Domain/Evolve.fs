module Workq.Domain.Evolve

let apply (state: State) (event: Event) : State = failwith "TODO"
