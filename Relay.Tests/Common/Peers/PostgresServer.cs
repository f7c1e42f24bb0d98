using Npgsql;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// A real PostgreSQL (Debian's <c>postgresql</c> package) on a free loopback port with its data in a temp folder, for
/// the cluster tests: <c>initdb</c>, then <c>postgres</c> in the foreground as a <see cref="PeerProcess"/>, so disposal
/// (or a failing test) stops it and removes the folder. Run as root, both run as the <c>postgres</c> user (PostgreSQL
/// refuses root) through <c>setpriv</c>, which execs in place: the process the test holds is the postmaster itself,
/// so <see cref="KillAsync"/> is a real <c>kill -9</c> of the database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "relay";
    private static readonly string BinDirectory = FindBinDirectory();

    private readonly bool _fsync;
    private PeerProcess? _process;

    private PostgresServer(string directory, int port, bool fsync)
    {
        Directory = directory;
        Port = port;
        _fsync = fsync;
    }

    public string Directory { get; }

    public int Port { get; }

    public bool Running => _process is { Process.HasExited: false };

    /// <summary>Admin connection to the <c>postgres</c> database (for creating databases, inspecting rows).</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <param name="fsync">Off for tests (faster, a kill -9 of the server still keeps committed rows); on for benchmarks.</param>
    public static async Task<PostgresServer> StartAsync(bool fsync = false)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "postgres")))
        {
            Assert.Skip("postgresql is not installed (./test.sh installs it: apt-get install postgresql)");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("relay-pg-").FullName;
        var server = new PostgresServer(directory, FreePort.Next(), fsync);
        try
        {
            if (Environment.UserName == "root")
            {
                await Tools.RunAsync("chown", "postgres:postgres", directory);
            }

            await Tools.RunAsync(AsPostgres(Path.Combine(BinDirectory, "initdb")).File,
                [.. AsPostgres(Path.Combine(BinDirectory, "initdb")).Arguments, "-D", Path.Combine(directory, "data"), "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Database = database, Pooling = false, Timeout = 5 }.ConnectionString;

    /// <summary>A fresh database on this server; its connection string (pooled, as a node would use it).</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString(name)) { Pooling = true }.ConnectionString;
    }

    /// <summary><c>kill -9</c> of the postmaster; its backends notice and exit by themselves.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            await Tools.RunAsync("kill", "-9", process.Process.Id.ToString());
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same folder and port (crash recovery runs as after a real crash).</summary>
    public async Task RestartAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await StartProcessAsync();
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // The killed postmaster's backends may still hold the shared memory for a moment.
                await Task.Delay(300);
            }
        }
    }

    private async Task StartProcessAsync()
    {
        var (file, prefix) = AsPostgres(Path.Combine(BinDirectory, "postgres"));
        var process = PeerProcess.Start("postgres", file,
        [
            .. prefix, "-D", Path.Combine(Directory, "data"), "-p", $"{Port}", "-h", "127.0.0.1", "-k", Directory,
            "-c", $"fsync={(_fsync ? "on" : "off")}", "-c", "max_connections=300", "-c", "shared_buffers=64MB",
            "-c", "logging_collector=off", "-c", "log_min_messages=warning",
        ]);
        try
        {
            await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(20), process);
            // Listening is not accepting: wait until a login succeeds (recovery after a kill takes a moment).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(AdminConnectionString);
                    await connection.OpenAsync();
                    break;
                }
                catch (NpgsqlException) when (DateTime.UtcNow < deadline && !process.Process.HasExited)
                {
                    await Task.Delay(100);
                }
            }

            _process = process;
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException($"postgres did not start: {e.Message}\n{process.StderrTail}", e);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static (string File, string[] Arguments) AsPostgres(string program) =>
        Environment.UserName == "root"
            ? ("setpriv", ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--", program])
            : (program, []);

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var versions = System.IO.Directory.Exists(root) ? System.IO.Directory.GetDirectories(root) : [];
        return versions.Select(v => Path.Combine(v, "bin")).OrderDescending().FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres"))) ?? Path.Combine(root, "15", "bin");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
        }

        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
