namespace Workq.Domain

/// One name's jobs and workers. A queue exists only while something is in it.
type Queue =
    { /// The one instance of the name that the queue's jobs share.
      Name: JobName
      Ready: SortedKeys<QueueKey>
      Scheduled: SortedKeys<DueKey>
      Leased: int
      Workers: Set<WaiterKey> }

module Queue =
    let private noReady = SortedKeys.empty Order.queueKey
    let private noneScheduled = SortedKeys.empty Order.dueKey

    let empty name = { Name = name; Ready = noReady; Scheduled = noneScheduled; Leased = 0; Workers = Set.empty }

    let isEmpty q = q.Ready.IsEmpty && q.Scheduled.IsEmpty && q.Leased = 0 && q.Workers.IsEmpty
