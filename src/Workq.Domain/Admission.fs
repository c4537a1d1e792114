namespace Workq.Domain

/// Where a connection stands with the server's tokens. Kept by the connection, not by the
/// engine: tokens are the host's to check, and the engine never sees one.
type Admission =
    /// The server checks no tokens: every request is the engine's, `auth` included.
    | Unchecked
    /// No good token yet, and `failures` requests refused so far.
    | Awaiting of failures: int
    /// Admitted as `name`: a token's name, or the subject of a client certificate.
    | Admitted of name: string

/// What a connection does with a request, by its admission.
type Gate =
    /// The engine decides it.
    | Pass
    /// The token is to be checked against the server's, then told to `Admission.afterCheck`.
    | Check of Token
    /// The connection answers it itself, in its turn; then, if `close`, closes.
    | Answer of reply: Reply * close: bool

module Admission =
    /// Refused requests (before a good token, or with a wrong one) after which the
    /// connection is closed: a client that cannot authenticate is told a few times why,
    /// and one that guesses gets few guesses per connection.
    let maxFailures = 3

    /// A connection's admission when it opens: a server without tokens checks none; one
    /// with tokens admits a client certificate the handshake verified (`certified`, its
    /// name) and otherwise waits for `auth`.
    let start (checksTokens: bool) (certified: string option) =
        match checksTokens, certified with
        | false, _ -> Unchecked
        | true, Some name -> Admitted name
        | true, None -> Awaiting 0

    let private refuse failures error =
        let failures = failures + 1
        Awaiting failures, Answer(ClientError error, failures >= maxFailures)

    /// A request, well formed (`Ok`) or not: the admission after it, and what to do.
    /// Every `auth` is checked, even on an admitted connection; before a good one,
    /// anything else (a malformed `auth` included) is refused.
    let request (admission: Admission) (parsed: Result<Command, ClientError>) : Admission * Gate =
        match admission, parsed with
        | Unchecked, _ -> admission, Pass
        | _, Ok(Auth token) -> admission, Check token
        | Admitted _, _ -> admission, Pass
        | Awaiting failures, _ -> refuse failures AuthenticationRequired

    /// The outcome of `Check`: the name of the token presented, or None for a token the
    /// server does not have. A wrong token ends an admission as well: the connection
    /// stands where its last `auth` put it.
    let afterCheck (admission: Admission) (name: string option) : Admission * Gate =
        match admission, name with
        | Unchecked, _ -> admission, Answer(Done, false)
        | _, Some name -> Admitted name, Answer(Done, false)
        | Admitted _, None -> refuse 0 AuthenticationFailed
        | Awaiting failures, None -> refuse failures AuthenticationFailed
