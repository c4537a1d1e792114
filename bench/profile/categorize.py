#!/usr/bin/env python3
"""Sums a profile's self costs into the per-job budget's lines.

Input on stdin: one function per line, "COST SYMBOL [DSO]" (see bench/profile/README.md for
the perf and callgrind commands that make it). Output: each line's share, its cost, and,
with --jobs N, its cost per job. --server workq|beanstalkd picks the rules."""
import re, sys, argparse, collections

# First match wins. Kernel symbols come tagged [k] by the commands in README.md.
KERNEL = [
    ("kernel: scheduler, wake-ups, epoll", r"^\[k\] (ep_|do_epoll|epoll|__x64_sys_epoll|.*poll_wait|.*wake|futex|.*sched|schedule|__schedule|__switch|.*switch_to|finish_task|try_to_wake|enqueue_|dequeue_|pick_next|update_curr|update_load|update_cfs|ttwu|select_task|.*load_balance|.*idle|hrtimer|.*timer|tick|.*clock|ktime|rcu|.*irq|_raw_spin|raw_spin|queued_spin|mutex|native_|read_tsc|__cgroup|cpuacct|psi_|account_)"),
    ("kernel: TCP/IP send and receive", r"^\[k\] .*(tcp|inet|ip_|ipv4|skb|sock|__dev|dev_|net_|netif|loopback|napi|nf_|softirq|_bh_|csum|copy_user|copy_to_iter|copy_from_iter|copyout|copyin|rep_movs|memcpy|kfree|kmalloc|alloc|slab|kmem|page_frag|recv|send|__sys_|unix_|bbr|check_object_size|iovec|__get_user|fdget|fput|security_|apparmor|bpf)"),
    ("kernel: syscall entry and the rest", r"^\[k\]"),
]
WORKQ = KERNEL + [
    ("command log", r"CommandLog|EventLog|EventEncoder|Cmdlog|Workq_Host_Engine_EngineLog|Workq_Domain_CommandLog"),
    ("framing", r"RequestFramer|Framing|RequestReader|ConnectionFlow"),
    ("parsing", r"Protocol_Parser|Parser__|FParsec|Protocol_Grammar|Workq_Domain_Text|Workq_Domain_Values|Protocol_Tokens|PlainForm|CommandTable|Number__|JobIdModule|Workq_Domain_Command"),
    ("decide", r"Workq_Domain_Decide|Workq_Domain_Admission|Workq_Domain_Decision|Workq_Domain_Limits|Workq_Domain_Backoff"),
    ("evolve: queue order (tree of QueueKey)", r"(Collections_|SortedKeys).*QueueKey|QueueModule|Workq_Domain_Queue"),
    ("evolve: timers (tree of Timer)", r"(Collections_|SortedKeys).*Timer|TimersModule|Workq_Domain_Timer|DueKey"),
    ("evolve: jobs by id (B+tree) and other maps", r"Collections_SortedTree|Collections_Tree|Collections_SortedKeys|Collections_Change|Order_jobId|SortedKeys"),
    ("evolve: the rest (Evolve, State, Job)", r"Workq_Domain_State|Workq_Domain_Evolve|Workq_Domain_Job|Workq_Domain_Event|Workq_Domain_Time|Workq_Domain_Wait|Workq_Domain_Order"),
    ("reply writer and sender", r"ReplyWriter|ReplySender|SendBuffer|ConnectionReplies|ReplySize|Workq_Domain_Reply"),
    ("engine loop, inbox, batches", r"Workq_Host_Engine|EngineLoop|EngineInbox|Inputs|ServerAccounting|PublishedState"),
    ("host: connections, other", r"Workq_Host|Workq_Domain"),
    (".NET sockets and async I/O", r"System_Net_Sockets|SocketAsync|Sockets_|System_IO_Pipelines|Pipelines|NetworkStream|System_Net_|SystemNative_(Recv|Send|Read|Write|Wait|Epoll|Receive)|SystemNative_"),
    (".NET threads, tasks, channels", r"System_Threading|Threading_Channels|Channels|AsyncTaskMethodBuilder|AsyncValueTask|CompilerServices_Async|ThreadPool|PortableThreadPool|Task|Lock|Monitor|ManualResetValueTaskSource|RhpWait|pthread|futex|sem_|__lll|Interlocked|SpinWait"),
    ("collector (GC) and allocation", r"WKS::|SVR::|gc_heap|GCHeap|GCToEE|Rhp(New|Alloc)|RhpGcAlloc|AllocateObject|memset|__memset|GcInfo|Gc|_GC|mark_|plan_|relocate|card|BackgroundGC|bgc|StackFrameIterator|EECodeManager|UnwindInfo|Unwind|libunwind|_Unwind|GCFrame|Thread::|ThreadStore|RhpGcPoll|RhpPInvoke|RhpReversePInvoke|__clock_gettime"),
    ("runtime: casts, dispatch, copies, other", r"."),
]
BEANSTALKD = KERNEL + [
    ("framing and parsing", r"^(conn_data|dispatch_cmd|scan_line_end|which_cmd|read_|fill_extra|maybe_enqueue|h_conn_data|strtoul|__strtoul|____strtoul|strtol|__strto|memchr|__memchr|strchr|strncmp|strcmp|__strncmp|__strcmp|strtoll|strtoull|_IO_|isspace)"),
    ("jobs and tubes (heap, hash)", r"^(heap_|job_|make_job|allocate_job|store_job|job_free|rehash|_get_job|get_job|tube_|remove_this|ms_|enqueue|delay_|reserve_job|remove_ready|remove_buried|next_awaited|process_queue|soonest|uniform|job_copy|job_find|job_hash|cmp_)"),
    ("reply writer", r"^(reply|reply_|reply_msg|reply_line|reply_job|fmt|vsnprintf|__vsnprintf|printf|__vfprintf|vfprintf|_IO_str|__printf|snprintf|__snprintf|_itoa|__strchrnul|strchrnul|_IO_default|__mempcpy|mempcpy|outchar)"),
    ("event loop, connections", r"^(h_conn|srv|prottick|connsched|conn_|make_conn|epoll|socknext|sockwant|h_accept|nanoseconds|now|conntimeout|hasreservedjob|soonest|prot_|walresvupdate|walmaint|connwant|conn_set)"),
    ("libc: malloc, free, copies", r"^(malloc|free|calloc|realloc|_int_|__libc|memcpy|__memcpy|memmove|__memmove|memset|__memset|cfree|tcache|unlink|__GI|__clock_gettime|clock_gettime|__vdso|epoll_wait|read|write|__read|__write|__libc_read|__libc_write|recv|send)"),
    ("beanstalkd itself (stripped: by address)", r"^0x"),
    ("other", r"."),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", choices=["workq", "beanstalkd"], default="workq")
    ap.add_argument("--jobs", type=float)
    ap.add_argument("--unit", default="samples")
    ap.add_argument("--show", type=int, default=0, help="top symbols per line")
    ap.add_argument("--total", type=float, help="the profile's total; entries above half of it are thread roots callgrind misreports as self cost, and are dropped")
    ap.add_argument("--us-per-job", type=float, help="the server's CPU per job (utime+stime): each line's share of it")
    a = ap.parse_args()
    rules = [(n, re.compile(r)) for n, r in (WORKQ if a.server == "workq" else BEANSTALKD)]
    totals = collections.OrderedDict((n, 0.0) for n, _ in rules)
    tops = collections.defaultdict(collections.Counter)
    total = 0.0
    for line in sys.stdin:
        parts = line.strip().split(None, 1)
        if len(parts) < 2: continue
        try: cost = float(parts[0].replace(",", ""))
        except ValueError: continue
        sym = parts[1]
        if a.total and cost > a.total / 2: continue
        total += cost
        for name, rx in rules:
            if rx.search(sym):
                totals[name] += cost
                tops[name][sym] += cost
                break
    us = lambda c: f" {a.us_per_job*c/total:9.2f}" if a.us_per_job else ""
    print(f"{'line':45} {'share':>7} {a.unit:>14}" + (f" {a.unit+'/job':>14}" if a.jobs else "") + (f" {'us/job':>9}" if a.us_per_job else ""))
    for name, c in totals.items():
        if c == 0: continue
        print(f"{name:45} {100*c/total:6.1f}% {c:14.0f}" + (f" {c/a.jobs:14.1f}" if a.jobs else "") + us(c))
        for sym, sc in tops[name].most_common(a.show):
            print(f"    {100*sc/total:5.1f}% {sym[:110]}")
    print(f"{'total':45} {100.0:6.1f}% {total:14.0f}" + (f" {total/a.jobs:14.1f}" if a.jobs else "") + us(total))

main()
