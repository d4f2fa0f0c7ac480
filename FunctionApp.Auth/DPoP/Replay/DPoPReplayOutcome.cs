namespace FunctionApp.Auth;

/// <summary>What became of a proof offered to a replay store.</summary>
internal enum DPoPReplayOutcome
{
    Remembered,
    Replayed,

    /// <summary>No room: every entry is a proof that could still be accepted.</summary>
    Full,

    /// <summary>The store did not answer in time or at all: nobody can tell whether the proof was used before.</summary>
    Unavailable,
}
