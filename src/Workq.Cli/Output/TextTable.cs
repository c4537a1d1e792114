namespace Workq.Cli.Output;

/// <summary>
/// A plain-text table: a header row and rows of cells, in columns padded to their widest
/// cell and two spaces apart. Numbers are right-aligned, everything else left-aligned.
/// </summary>
internal sealed class TextTable
{
    private readonly (string Header, bool Right)[] columns;
    private readonly List<string[]> rows = [];

    /// <param name="columns">The headers; one that starts with <c>&gt;</c> (dropped from the header) is right-aligned.</param>
    public TextTable(params string[] columns)
    {
        this.columns = columns.Select(c => c.StartsWith('>') ? (c[1..], true) : (c, false)).ToArray();
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != columns.Length)
            throw new ArgumentException($"{cells.Length} cells for {columns.Length} columns", nameof(cells));
        rows.Add(cells);
    }

    public void WriteTo(TextWriter writer)
    {
        int[] widths = columns.Select((c, i) => rows.Select(r => r[i].Length).Prepend(c.Header.Length).Max()).ToArray();
        WriteRow(writer, columns.Select(c => c.Header).ToArray(), widths);
        foreach (string[] row in rows)
            WriteRow(writer, row, widths);
    }

    /// <summary>A record shown one field a line: name, then value.</summary>
    public static void WriteFields(TextWriter writer, IEnumerable<(string Name, string Value)> fields)
    {
        var list = fields.ToList();
        int width = list.Max(f => f.Name.Length);
        foreach (var (name, value) in list)
            writer.WriteLine($"{name.PadRight(width)}  {value}");
    }

    private void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var line = new System.Text.StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0)
                line.Append("  ");
            bool last = i == cells.Length - 1;
            line.Append(columns[i].Right ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]));
        }
        writer.WriteLine(line.ToString());
    }
}
