//! The durable event stream (see [`EventStream`]).

use crate::{Redis, RedisError};
use finconnect::sdk::{Appended, BoxFuture, CallbackEvent, DedupeKey, EventLog, StoreError};
use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use redis::Script;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Appends once per dedupe key, atomically:
/// KEYS[1] the key's "seen" record, KEYS[2] the stream;
/// ARGV[1] retention (ms), ARGV[2] approximate MAXLEN (0: untrimmed),
/// ARGV[3..] the event's fields and values.
static APPEND_ONCE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local seen = redis.call('GET', KEYS[1])
if seen then return {0, seen} end
local args = {'XADD', KEYS[2]}
if tonumber(ARGV[2]) > 0 then
  args[#args + 1] = 'MAXLEN'
  args[#args + 1] = '~'
  args[#args + 1] = ARGV[2]
end
args[#args + 1] = '*'
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return {1, id}",
    )
});

/// A Redis Stream of confirmed callback events, written once per dedupe key:
/// the [`EventLog`] of a fleet's callback services.
///
/// ## The atomic step
///
/// [`EventLog::append_once`] runs one Lua script: if the event's dedupe key has
/// no "seen" record, `XADD` the event to the stream and record the key (its
/// value is the entry id, its TTL the retention); otherwise answer
/// [`Appended::Duplicate`] with the first entry's id. Redis runs a script
/// alone, so two instances receiving the same event at once cannot both append
/// it, and there is no claim that could be left behind by a crash. With AOF on
/// (`appendfsync always`) Redis answers only once the script's writes are on
/// disk, so an event the provider was told "received" survives a Redis crash.
/// When Redis is down or slow (past the configured timeout) the append fails
/// and the callback service asks the provider to retry (503; PesaPal: its ack
/// with status 500): nothing is acknowledged that was not stored.
///
/// This replaces the claim / done / release of a [`DedupeStore`]
/// ([`RedisDedupe`](crate::RedisDedupe)) for the stream: a claim would add a
/// round trip and a lease to tune, and a crash between the append and "done"
/// would let a retry append the event twice.
///
/// [`DedupeStore`]: finconnect::sdk::DedupeStore
///
/// ## Key layout (Redis Cluster)
///
/// For a stream named `events` (the default) under the prefix `finconnect`:
///
/// | key | type | holds |
/// |---|---|---|
/// | `{finconnect:events}:stream` | stream | one entry per event ([`CallbackEvent::fields`]) |
/// | `{finconnect:events}:seen:<dedupe key>` | string, TTL = retention | the entry id of the event |
///
/// Every key carries the hash tag `{prefix:name}`, so the script's two keys are
/// in one slot of a Redis Cluster. A stream is one key and lives on one node;
/// to spread the load of a very large fleet over several nodes, run several
/// streams (different names) and route events to them.
///
/// ## Trimming
///
/// By default the stream is never trimmed: an event leaves it only when you
/// delete it. [`EventStream::max_len`] trims approximately (`XADD … MAXLEN ~
/// n`) on each append; choose `n` far above what your consumers can lag
/// behind, since a trimmed entry is gone even if no consumer read it. The
/// "seen" records expire after the retention, independently of the stream.
///
/// ## Consumers
///
/// Read with a [`Consumer`](crate::Consumer) (a consumer group: at-least-once
/// delivery, acknowledgements, take-over of a dead consumer's events).
///
/// Cheap to clone.
#[derive(Clone)]
pub struct EventStream {
    redis: Redis,
    tag: Arc<str>,
    max_len: Option<u64>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("key", &self.key())
            .field("max_len", &self.max_len)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// The stream named `events` on `redis`.
    pub fn new(redis: &Redis) -> Self {
        EventStream::named(redis, "events")
    }

    /// The stream named `name` on `redis` (several applications or
    /// environments can share one Redis).
    pub fn named(redis: &Redis, name: &str) -> Self {
        EventStream {
            redis: redis.clone(),
            tag: Arc::from(format!("{{{}:{name}}}", redis.prefix())),
            max_len: None,
        }
    }

    /// Trims the stream to about `entries` entries on each append (default:
    /// never trimmed). See the type's docs before you set it.
    pub fn max_len(mut self, entries: u64) -> Self {
        self.max_len = Some(entries.max(1));
        self
    }

    /// The stream's key.
    pub fn key(&self) -> String {
        format!("{}:stream", self.tag)
    }

    /// The key of the record that `key` was appended.
    pub fn seen_key(&self, key: &DedupeKey) -> String {
        format!("{}:seen:{key}", self.tag)
    }

    /// The Redis handle.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// How many entries the stream holds (`XLEN`).
    pub async fn len(&self) -> Result<u64, RedisError> {
        let key = self.key();
        self.redis
            .run(|mut c| async move { redis::cmd("XLEN").arg(key).query_async(&mut c).await })
            .await
    }

    /// Whether the stream holds no entry.
    pub async fn is_empty(&self) -> Result<bool, RedisError> {
        Ok(self.len().await? == 0)
    }

    /// The id of the newest entry (`None`: the stream is empty or missing).
    pub async fn last_id(&self) -> Result<Option<String>, RedisError> {
        let key = self.key();
        let reply: StreamRangeReply = self
            .redis
            .run(|mut c| async move {
                redis::cmd("XREVRANGE")
                    .arg(key)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(reply.ids.into_iter().next().map(|e| e.id))
    }

    /// Up to `count` entries after the entry id `after` (`0` for the start),
    /// oldest first, without waiting (`XRANGE`): for audits and replays.
    pub async fn range(&self, after: &str, count: usize) -> Result<Vec<StoredEvent>, RedisError> {
        let key = self.key();
        let start = format!("({after}");
        let reply: StreamRangeReply = self
            .redis
            .run(|mut c| async move {
                redis::cmd("XRANGE")
                    .arg(key)
                    .arg(start)
                    .arg("+")
                    .arg("COUNT")
                    .arg(count)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(reply.ids.into_iter().map(StoredEvent::from).collect())
    }

    /// Up to `count` entries after the entry id `after` (`$` for "only new
    /// ones"), waiting up to `block` for the first one (`XREAD`): a read-only
    /// tail that acknowledges nothing. A blocking read holds its connection:
    /// use a [`Redis`] handle of its own (another [`RedisConfig::connect`]),
    /// not the one the callback services append on.
    ///
    /// [`RedisConfig::connect`]: crate::RedisConfig::connect
    pub async fn read_after(
        &self,
        after: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StoredEvent>, RedisError> {
        let key = self.key();
        let after = after.to_owned();
        crate::consumer::blocking(&self.redis, block, move |wait| {
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT").arg(count);
            if let Some(ms) = wait {
                cmd.arg("BLOCK").arg(ms);
            }
            cmd.arg("STREAMS").arg(&key).arg(&after);
            cmd
        })
        .await
    }

    async fn append(
        &self,
        event: &CallbackEvent,
        retention: Duration,
    ) -> Result<Appended, RedisError> {
        let seen = self.seen_key(&event.dedupe_key);
        let stream = self.key();
        let retention = u64::try_from(retention.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let max_len = self.max_len.unwrap_or(0);
        let fields = event.fields();
        let (new, id): (i64, String) = self
            .redis
            .run(|mut c| async move {
                let mut call = APPEND_ONCE.key(seen);
                call.key(stream).arg(retention).arg(max_len);
                for (name, value) in fields {
                    call.arg(name).arg(value);
                }
                call.invoke_async(&mut c).await
            })
            .await?;
        Ok(if new == 1 {
            Appended::New(id)
        } else {
            Appended::Duplicate(id)
        })
    }
}

impl EventLog for EventStream {
    fn append_once<'a>(
        &'a self,
        event: &'a CallbackEvent,
        retention: Duration,
    ) -> BoxFuture<'a, Result<Appended, StoreError>> {
        Box::pin(async move {
            self.append(event, retention)
                .await
                .map_err(|e| StoreError(format!("event not stored in the Redis stream: {e}")))
        })
    }
}

/// One entry of the stream: its id and the event's fields
/// ([`CallbackEvent::fields`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// The stream entry id (`<ms>-<seq>`): acknowledge it with
    /// [`Consumer::ack`](crate::Consumer::ack).
    pub id: String,
    /// The event's fields by name (see [`CallbackEvent::fields`]).
    pub fields: BTreeMap<String, String>,
}

impl StoredEvent {
    /// A field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// The event's dedupe key (`provider:` and 64 hex digits): key your
    /// handler's "already processed?" check by it.
    pub fn dedupe_key(&self) -> &str {
        self.field("key").unwrap_or_default()
    }

    /// The entry as one JSON object: `{"id": …, "key": …, "provider": …, …}`.
    pub fn to_json(&self) -> String {
        let mut object = serde_json::Map::new();
        object.insert("id".into(), self.id.clone().into());
        for (name, value) in &self.fields {
            object.insert(name.clone(), value.clone().into());
        }
        serde_json::Value::Object(object).to_string()
    }
}

impl From<StreamId> for StoredEvent {
    fn from(entry: StreamId) -> Self {
        let fields = entry
            .map
            .into_iter()
            .filter_map(|(name, value)| {
                let value: String = redis::from_redis_value(value).ok()?;
                Some((name, value))
            })
            .collect();
        StoredEvent {
            id: entry.id,
            fields,
        }
    }
}

/// The entries of an `XREAD`/`XREADGROUP` answer (nil: none).
pub(crate) fn entries(reply: Option<StreamReadReply>) -> Vec<StoredEvent> {
    reply
        .into_iter()
        .flat_map(|r| r.keys)
        .flat_map(|k| k.ids)
        .map(StoredEvent::from)
        .collect()
}
