using System.Text.Json;

namespace Workq.Bench;

/// <summary>Prints replay mode's figures: a table for people, one <c>RESULT {json}</c> line for scripts.</summary>
public static class ReplayReport
{
    public static void Print(Options o, ReplayMeasurement m)
    {
        Console.WriteLine($"workq replay: N={m.Jobs} live jobs, payload={m.PayloadSize}, sync interval (fill: P={o.Producers} pipeline={o.Pipeline})");
        Console.WriteLine($"  fill                     {m.FillSeconds,10:F2} s   {m.FillJobsPerSecond,10:F0} jobs/s, server RSS after fill {m.FillRssMb:F1} MB");
        Console.WriteLine($"  stop (SIGTERM to exit)   {m.StopSeconds,10:F2} s   exit code {m.StopExitCode}");
        Console.WriteLine($"  log directory            {m.LogMb,10:F1} MB  {m.LogFiles} files, {m.LogBytesPerJob:F0} bytes per job");
        Console.WriteLine($"  {"start-up",-22} {"empty log",12} {"replay",12}");
        Console.WriteLine($"  {"TCP connect after s",-22} {m.Baseline.ConnectSeconds,12:F3} {m.Replayed.ConnectSeconds,12:F3}");
        Console.WriteLine($"  {"first reply after s",-22} {m.Baseline.ReadySeconds,12:F3} {m.Replayed.ReadySeconds,12:F3}");
        Console.WriteLine($"  {"jobs held",-22} {m.Baseline.Jobs,12} {m.Replayed.Jobs,12}");
        Console.WriteLine($"  {"VmRSS after start MB",-22} {m.BaselineRssMb,12:F1} {m.RssAfterStartMb,12:F1}");
        Console.WriteLine($"  {"VmHWM MB",-22} {"",12} {m.PeakRssMb,12:F1}");
        Console.WriteLine($"  {"VmRSS 3 s later MB",-22} {"",12} {m.RssSettledMb,12:F1}");
        Console.WriteLine($"  replay (first reply, less the empty log's): {m.ReplaySeconds:F3} s"
            + (m.Events is { } e ? $" for {e} events = {m.EventsPerSecond:F0} events/s" : " (the server did not log its event count)"));
        Console.WriteLine($"  memory per job (less the empty server's RSS): {m.RssBytesPerJob:F0} bytes after start, {m.PeakRssBytesPerJob:F0} bytes at peak");
        if (m.Replayed.Jobs != m.Jobs) Console.WriteLine($"  WARNING: the replayed server holds {m.Replayed.Jobs} jobs, not {m.Jobs}");
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new { settings = Report.SettingsJson(o), result = m }, Report.Json));
    }
}
