namespace Ebpf.Runtime.Syscalls;

/// <summary>enum bpf_cmd: the first argument of the bpf(2) system call (include/uapi/linux/bpf.h).</summary>
public enum BpfCommand
{
    MapCreate = 0, MapLookupElem = 1, MapUpdateElem = 2, MapDeleteElem = 3, MapGetNextKey = 4, ProgLoad = 5,
    ObjPin = 6, ObjGet = 7, ProgAttach = 8, ProgDetach = 9, ProgTestRun = 10, ProgGetNextId = 11, MapGetNextId = 12,
    ProgGetFdById = 13, MapGetFdById = 14, ObjGetInfoByFd = 15, ProgQuery = 16, RawTracepointOpen = 17, BtfLoad = 18,
    BtfGetFdById = 19, TaskFdQuery = 20, MapLookupAndDeleteElem = 21, MapFreeze = 22, BtfGetNextId = 23,
    MapLookupBatch = 24, MapLookupAndDeleteBatch = 25, MapUpdateBatch = 26, MapDeleteBatch = 27, LinkCreate = 28,
    LinkUpdate = 29, LinkGetFdById = 30, LinkGetNextId = 31, EnableStats = 32, IterCreate = 33, LinkDetach = 34,
    ProgBindMap = 35, TokenCreate = 36,
}
