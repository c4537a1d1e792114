namespace Workq.Bench;

/// <summary>A server process's CPU time and memory, read from Linux's /proc.</summary>
public static class ProcStats
{
    /// <summary>USER_HZ: the unit of utime and stime, 100 on every Linux we run on.</summary>
    const double ClockTicksPerSecond = 100.0;

    /// <summary>User plus system CPU seconds so far (utime and stime of /proc/PID/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name in parentheses may hold spaces: count fields after its ')'.
        // Field 3 (state) is then the first; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    }

    /// <summary>
    /// Seconds on a processor so far, summed over the process's threads, in nanoseconds'
    /// resolution (the first field of /proc/PID/task/TID/schedstat): for spans too short
    /// for <see cref="CpuSeconds"/>'s 10 ms ticks. Threads that have ended are not counted.
    /// </summary>
    public static double RunSeconds(int pid)
    {
        long nanoseconds = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                nanoseconds += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0]);
            }
            catch (IOException)
            {
                // The thread ended while we read.
            }
        }
        return nanoseconds / 1e9;
    }

    /// <summary>Peak resident memory (VmHWM), in bytes.</summary>
    public static long PeakRss(int pid) => StatusBytes(pid, "VmHWM:");

    /// <summary>Starts VmHWM again from the resident memory now (Linux's clear_refs; needs the right to write there).</summary>
    public static void ResetPeakRss(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>Resident memory now (VmRSS), in bytes.</summary>
    public static long Rss(int pid) => StatusBytes(pid, "VmRSS:");

    static long StatusBytes(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/{pid}/status has no {key}");
    }
}
