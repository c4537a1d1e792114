namespace Workq.Domain

open System
open Cronos

/// A cron expression, in UTC, as the protocol writes it: one token whose fields are joined
/// by `_` (`0_9_*_*_MON-FRI`), five fields (minute to day of week) or six (a second
/// first), or one of the macros `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
/// `@midnight`, `@hourly`, `@every_minute`, `@every_second`. Cronos reads the fields; its
/// `H` (a value it would choose at random) is not taken, so an expression means the same
/// on every server and at every replay. Equal when the texts are.
[<CustomEquality; NoComparison>]
type Cron =
    private
        { Text: string
          Expression: CronExpression }

    /// The expression as it was given.
    member this.Token = this.Text
    override this.ToString() = this.Text
    override this.Equals other =
        match other with
        | :? Cron as c -> String.Equals(this.Text, c.Text, StringComparison.Ordinal)
        | _ -> false
    override this.GetHashCode() = StringComparer.Ordinal.GetHashCode this.Text

module Cron =
    /// What joins the fields of an expression in its one token.
    let separator = '_'

    // Cronos computes with DateTime, which holds the years 1 to 9999.
    let private first = Time.ofDateTime DateTime.MinValue
    let private last = Time.ofDateTime (DateTime(9998, 12, 31, 0, 0, 0, DateTimeKind.Utc))

    let private occurrenceAfter (expression: CronExpression) (after: Instant) : Instant option =
        if after < first || after > last then None
        else
            let next = expression.GetNextOccurrence(Time.toDateTime after, false)
            if next.HasValue then Some(Time.ofDateTime next.Value) else None

    let private format (token: string) =
        if token.StartsWith '@' then Some(token, CronFormat.IncludeSeconds)
        else
            let text = token.Replace(separator, ' ')
            match text.Split ' ' with
            | fields when fields |> Array.exists String.IsNullOrEmpty -> None
            | fields when fields.Length = 5 -> Some(text, CronFormat.Standard)
            | fields when fields.Length = 6 -> Some(text, CronFormat.IncludeSeconds)
            | _ -> None

    /// The expression a token spells, if it is one that ever occurs (`0_0_30_2_*`, the
    /// 30th of February, never does). Total: never throws.
    let tryParse (token: string) : Cron option =
        match format token with
        | Some(text, cronFormat) when not (token.Contains ' ') ->
            let mutable expression = Unchecked.defaultof<CronExpression>
            if CronExpression.TryParse(text, cronFormat, &expression)
               && (occurrenceAfter expression 0L<ms>).IsSome then
                Some { Text = token; Expression = expression }
            else None
        | _ -> None

    /// The first instant strictly after `after` that the expression matches, to the
    /// second; None when there is none that a date can hold.
    let next (after: Instant) (cron: Cron) : Instant option = occurrenceAfter cron.Expression after
