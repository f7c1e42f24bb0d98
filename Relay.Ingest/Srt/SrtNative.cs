using System.Runtime.InteropServices;

namespace Relay.Ingest.Srt;

/// <summary>
/// The few libsrt 1.5 calls the listener needs (Debian's <c>libsrt1.5-openssl</c>, <c>libsrt.so.1.5</c>). Values are
/// those of <c>srtcore/srt.h</c>; SRTSOCKET is an int.
/// </summary>
internal static unsafe partial class SrtNative
{
    public const string Library = "libsrt.so.1.5";

    public const int Error = -1;

    // SRT_SOCKOPT
    public const int OptRcvSyn = 2;
    public const int OptRcvTimeo = 14;
    public const int OptRcvLatency = 43;
    public const int OptStreamId = 46;
    public const int OptPayloadSize = 49;
    public const int OptTransType = 50;
    public const int OptPeerIdleTimeo = 55;

    // SRT_EPOLL_OPT
    public const int EpollIn = 0x1;
    public const int EpollErr = 0x8;

    // SRT_ERRNO: timeouts of a blocking receive with SRTO_RCVTIMEO, or of a non-blocking one.
    public const int ErrorAsyncReceive = 6002;
    public const int ErrorTimeout = 6003;

    // Reject reasons as SRS and MediaMTX send them: SRT_REJC_PREDEFINED (1000) + an HTTP status.
    public const int RejectBadRequest = 1400;
    public const int RejectUnauthorized = 1401;
    public const int RejectOverload = 1402;
    public const int RejectForbidden = 1403;
    public const int RejectNotFound = 1404;

    /// <summary>TS packets per SRT payload in live mode: 7 x 188 = 1316 bytes.</summary>
    public const int LivePayloadSize = 1316;

    [LibraryImport(Library, EntryPoint = "srt_startup")]
    public static partial int Startup();

    /// <summary>syslog's LOG_ERR: libsrt writes its own lines to stderr; warnings there (every rejected caller) are Relay's to log.</summary>
    public const int LogLevelError = 3;

    [LibraryImport(Library, EntryPoint = "srt_setloglevel")]
    public static partial void SetLogLevel(int level);

    [LibraryImport(Library, EntryPoint = "srt_create_socket")]
    public static partial int CreateSocket();

    [LibraryImport(Library, EntryPoint = "srt_setsockflag")]
    public static partial int SetSockFlag(int socket, int option, void* value, int length);

    [LibraryImport(Library, EntryPoint = "srt_getsockflag")]
    public static partial int GetSockFlag(int socket, int option, void* value, int* length);

    [LibraryImport(Library, EntryPoint = "srt_bind")]
    public static partial int Bind(int socket, byte* address, int length);

    [LibraryImport(Library, EntryPoint = "srt_listen")]
    public static partial int Listen(int socket, int backlog);

    [LibraryImport(Library, EntryPoint = "srt_listen_callback")]
    public static partial int ListenCallback(int listener, delegate* unmanaged<nint, int, int, byte*, byte*, int> hook, nint opaque);

    [LibraryImport(Library, EntryPoint = "srt_accept")]
    public static partial int Accept(int listener, byte* address, int* length);

    [LibraryImport(Library, EntryPoint = "srt_recvmsg")]
    public static partial int ReceiveMessage(int socket, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "srt_close")]
    public static partial int Close(int socket);

    [LibraryImport(Library, EntryPoint = "srt_getlasterror")]
    public static partial int GetLastError(int* systemErrno);

    [LibraryImport(Library, EntryPoint = "srt_getlasterror_str")]
    public static partial byte* GetLastErrorText();

    [LibraryImport(Library, EntryPoint = "srt_setrejectreason")]
    public static partial int SetRejectReason(int socket, int reason);

    [LibraryImport(Library, EntryPoint = "srt_bstats")]
    public static partial int ByteStats(int socket, byte* stats, int clear);

    [LibraryImport(Library, EntryPoint = "srt_epoll_create")]
    public static partial int EpollCreate();

    [LibraryImport(Library, EntryPoint = "srt_epoll_add_usock")]
    public static partial int EpollAdd(int epoll, int socket, int* events);

    [LibraryImport(Library, EntryPoint = "srt_epoll_uwait")]
    public static partial int EpollWait(int epoll, SrtEpollEvent* events, int size, long timeoutMs);

    [LibraryImport(Library, EntryPoint = "srt_epoll_release")]
    public static partial int EpollRelease(int epoll);

    /// <summary>The last error of this thread as text (libsrt keeps it per thread).</summary>
    public static string LastErrorText() => Marshal.PtrToStringUTF8((nint)GetLastErrorText()) ?? "unknown SRT error";

    public static int LastError() => GetLastError(null);

    public static int SetInt(int socket, int option, int value) => SetSockFlag(socket, option, &value, sizeof(int));

    public static int SetBool(int socket, int option, bool value)
    {
        // SRT's bool options take a C++ bool (one byte) but accept an int as well; an int is what every binding passes.
        var v = value ? 1 : 0;
        return SetSockFlag(socket, option, &v, sizeof(int));
    }
}
