namespace FunctionApp.TestHost.Redis;

/// <summary>One connection a <see cref="RedisServer"/> holds: its id, for as long as it lives, and the last command it ran.</summary>
public sealed record RedisClient(long Id, string LastCommand);
