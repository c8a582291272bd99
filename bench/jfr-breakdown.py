#!/usr/bin/env python3
"""Per-event CPU breakdown of the predict threads from a JFR recording (issue 18).

usage: jfr print --stack-depth 64 --events jdk.ExecutionSample rec.jfr > samples.txt
       python3 bench/jfr-breakdown.py samples.txt
(jfr print keeps 5 frames by default: then a sample whose category frame is deeper, e.g. Jackson's float
writer under PredictionJson, lands in "other" -- a third of the samples in one Flink run, 2026-12-04)
Each sample of a Flink 'predict' task thread or a Kafka Streams StreamThread is put in the first
category (leaf → root) whose pattern matches one of its frames; shares are per engine group.
"""
import re, sys, collections

# (category, regex on 'class.method'), checked per frame from the leaf towards the root
CATS = [
    ("sessions (KeySessions, KeySessionCodec, session timers)", r"processor\.KeySession|processor\.OpenSession|processor\.SessionRules|PredictProcessor\.(closeDueSessions|deadlineKey)|PredictFunction\.closeSession|InternalTimerServiceImpl|HeapPriorityQueue"),
    ("parse (EventParser, Jackson read)", r"processor\.EventParser\."),
    ("JSON out (PredictionJson)", r"processor\.PredictionJson\."),
    ("anomaly score", r"processor\.AnomalyScore\.|AnomalyStats"),
    ("step (kernels, model)", r"model\.kernel\.|model\.RecurrentModel\.|bench\.IdentityKernels|model\.Layer"),
    ("object cache (ObjectCacheStore, KeyState.copy)", r"kstreams\.ObjectCacheStore|processor\.KeyState\.copy|SurpriseStats\.copy|ForecastBlend\.copy"),
    ("state serde (KeyStateCodec)", r"processor\.KeyStateCodec\.|KeyStateSerializer"),
    ("RocksDB (get/put/flush)", r"org\.rocksdb\.|RocksDBStore\.|RocksDBTimestamped"),
    ("record cache (Kafka Streams)", r"state\.internals\.(ThreadCache|NamedCache|CachingKeyValueStore|TimestampedCachingKeyValueStore)\."),
    ("changelog (logging store)", r"ChangeLoggingKeyValueBytesStore|ChangeLoggingTimestamped|StoreChangeLogger|ProcessorContextImpl\.logChange"),
    ("produce (RecordCollector, KafkaProducer.send, serializers)", r"RecordCollectorImpl\.|KafkaProducer\.|RecordAccumulator\.|SinkNode\.|KafkaWriter|KafkaSink"),
    ("commit / transactions", r"TaskManager\.commit|TaskExecutor\.commit|StreamTask\.prepareCommit|StreamTask\.postCommit|commitOffsetsOrTransaction|StreamsProducer\.commit|Checkpoint|checkpoint"),
    ("consume (poll, deserialize)", r"KafkaConsumer\.|ClassicKafkaConsumer|AsyncKafkaConsumer|Fetcher|FetchCollector|CompletedFetch|RecordQueue|PartitionGroup|KafkaSource|SourceReader|RecordDeserializ"),
    ("state access (Flink heap/RocksDB backend)", r"flink\.runtime\.state\.|flink\.state\.|HeapValueState|CopyOnWriteStateMap"),
    ("predictor core (KeyedPredictor)", r"processor\.KeyedPredictor\.|processor\.KeyState\.|processor\.Prediction\b|ModelRegistry|ModelSelection"),
    ("metrics", r"metrics\.StreamMetrics|micrometer|kafka\.common\.metrics|\.Sensor\."),
    ("GC / JVM / other", r"."),
]
pat = [(n, re.compile(r)) for n, r in CATS]

def group(thread):
    if thread.startswith("predict ->") or thread.startswith("predict "):
        return "flink predict task"
    m = re.match(r"bench-r\d+-kstreams-(\w+)-.*StreamThread-\d+$", thread)
    if m:
        return "kstreams StreamThread (" + m.group(1) + ")"
    if "StreamThread" in thread and "producer" not in thread:
        return "kstreams StreamThread"
    return None

counts = collections.defaultdict(collections.Counter)
thread = None; frames = []; in_stack = False
def flush():
    g = group(thread) if thread else None
    if g is None:
        return
    for f in frames:
        for n, p in pat:
            if n.startswith("GC"):
                continue
            if p.search(f):
                counts[g][n] += 1
                return
    counts[g]["GC / JVM / other"] += 1

for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        if thread is not None:
            flush()
        thread = None; frames = []; in_stack = False
    elif s.startswith("sampledThread = "):
        thread = s.split('"')[1]
    elif s.startswith("stackTrace = ["):
        in_stack = True
    elif in_stack and s == "]":
        in_stack = False
    elif in_stack and s and not s.startswith("..."):
        frames.append(s.split("(")[0])
if thread is not None:
    flush()

for g in sorted(counts):
    c = counts[g]; tot = sum(c.values())
    print(f"\n### {g}: {tot} samples")
    print("| category | samples | share |\n|---|---|---|")
    for n, _ in CATS:
        if c[n]:
            print(f"| {n} | {c[n]} | {100.0*c[n]/tot:.1f} % |")
