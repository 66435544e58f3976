//! Reading the event stream with a consumer group (see [`Consumer`]).

use crate::stream::{entries, EventStream, StoredEvent};
use crate::{Redis, RedisConfig, RedisError};
use redis::streams::{StreamAutoClaimReply, StreamReadReply};
use std::fmt;
use std::time::{Duration, Instant};

/// One consumer of an [`EventStream`] in a consumer group.
///
/// Each event is delivered to one consumer of the group; it stays *pending*
/// until that consumer [acknowledges](Consumer::ack) it. A consumer that died
/// leaves its pending events behind: another takes them over with
/// [`Consumer::claim_stale`] once they have been idle long enough. Delivery is
/// therefore **at least once** — an event can be delivered again after a crash
/// between your processing and the acknowledgement — so make the handler
/// idempotent, keyed by the event's dedupe key:
///
/// ```no_run
/// use finconnect_redis::{Consumer, EventStream, RedisConfig, StoredEvent};
/// use std::time::Duration;
///
/// # async fn already_processed(_key: &str) -> bool { false }
/// # async fn process_and_record(_event: &StoredEvent) {}
/// # async fn run() -> Result<(), finconnect_redis::RedisError> {
/// let config = RedisConfig::from_url("redis://127.0.0.1:6379/")?;
/// let stream = EventStream::new(&config.connect()?);
/// let consumer = Consumer::join(&config, &stream, "fulfilment", "worker-1").await?;
/// loop {
///     // First the events a dead worker left pending for a minute, then new ones.
///     let mut events = consumer.claim_stale(Duration::from_secs(60), 100).await?;
///     events.extend(consumer.read(100, Duration::from_secs(5)).await?);
///     for event in events {
///         // Idempotent: in one database transaction, skip the key if it was
///         // processed, else process and record the key.
///         if !already_processed(event.dedupe_key()).await {
///             process_and_record(&event).await;
///         }
///         consumer.ack(&event.id).await?;
///     }
/// }
/// # }
/// ```
///
/// A consumer holds a connection of its own (blocking reads would stall other
/// commands sharing a connection).
#[derive(Clone)]
pub struct Consumer {
    redis: Redis,
    stream: String,
    group: String,
    name: String,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("stream", &self.stream)
            .field("group", &self.group)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// Joins `group` on `stream` as the consumer `name` (unique within the
    /// group, stable across restarts of the same worker), on a connection of
    /// its own to the Redis of `config`. Creates the group (and the stream) if
    /// missing; a new group starts at the stream's first entry, so it sees
    /// every event still in the stream.
    pub async fn join(
        config: &RedisConfig,
        stream: &EventStream,
        group: &str,
        name: &str,
    ) -> Result<Consumer, RedisError> {
        let consumer = Consumer {
            redis: config.connect()?,
            stream: stream.key(),
            group: group.to_owned(),
            name: name.to_owned(),
        };
        consumer.ensure_group().await?;
        Ok(consumer)
    }

    /// The consumer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group's name.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// Creates the group if it is missing (`XGROUP CREATE … 0 MKSTREAM`; an
    /// existing group is left as it is).
    pub async fn ensure_group(&self) -> Result<(), RedisError> {
        let (stream, group) = (self.stream.clone(), self.group.clone());
        self.redis
            .run(|mut c| async move {
                let created: Result<(), redis::RedisError> = redis::cmd("XGROUP")
                    .arg("CREATE")
                    .arg(stream)
                    .arg(group)
                    .arg("0")
                    .arg("MKSTREAM")
                    .query_async(&mut c)
                    .await;
                match created {
                    Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
                    other => other,
                }
            })
            .await
    }

    /// Up to `count` new events for this consumer, waiting up to `block` for
    /// the first (`XREADGROUP … >`). They are pending until
    /// [`Consumer::ack`]. An empty list: nothing new within `block`.
    pub async fn read(
        &self,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StoredEvent>, RedisError> {
        match self.read_new(count, block).await {
            // The group vanished (a Redis that lost its data): recreate it.
            Err(RedisError::Redis(e)) if e.contains("NOGROUP") => {
                self.ensure_group().await?;
                self.read_new(count, block).await
            }
            other => other,
        }
    }

    async fn read_new(
        &self,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StoredEvent>, RedisError> {
        let (stream, group, name) = (&self.stream, &self.group, &self.name);
        blocking(&self.redis, block, |wait| {
            let mut cmd = redis::cmd("XREADGROUP");
            cmd.arg("GROUP")
                .arg(group)
                .arg(name)
                .arg("COUNT")
                .arg(count);
            if let Some(ms) = wait {
                cmd.arg("BLOCK").arg(ms);
            }
            cmd.arg("STREAMS").arg(stream).arg(">");
            cmd
        })
        .await
    }

    /// Acknowledges the event `id` (`XACK`): it leaves the group's pending
    /// list. `false`: it was not pending (acknowledged before, or taken over
    /// and acknowledged by another consumer).
    pub async fn ack(&self, id: &str) -> Result<bool, RedisError> {
        let (stream, group, id) = (self.stream.clone(), self.group.clone(), id.to_owned());
        let n: u64 = self
            .redis
            .run(|mut c| async move {
                redis::cmd("XACK")
                    .arg(stream)
                    .arg(group)
                    .arg(id)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(n > 0)
    }

    /// Takes over up to `count` events that other consumers of the group (dead
    /// ones, say) left pending for at least `min_idle` (`XAUTOCLAIM`); they are
    /// this consumer's to process and acknowledge now. Choose `min_idle` well
    /// above your processing time, or a slow consumer's events are processed
    /// twice (harmless with an idempotent handler, but wasted).
    pub async fn claim_stale(
        &self,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StoredEvent>, RedisError> {
        let idle = u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX);
        let mut cursor = "0-0".to_owned();
        let mut taken = Vec::new();
        loop {
            let (stream, group, name) =
                (self.stream.clone(), self.group.clone(), self.name.clone());
            let start = cursor.clone();
            let want = count.saturating_sub(taken.len()).max(1);
            let reply: StreamAutoClaimReply = self
                .redis
                .run(|mut c| async move {
                    redis::cmd("XAUTOCLAIM")
                        .arg(stream)
                        .arg(group)
                        .arg(name)
                        .arg(idle)
                        .arg(start)
                        .arg("COUNT")
                        .arg(want)
                        .query_async(&mut c)
                        .await
                })
                .await?;
            if !reply.deleted_ids.is_empty() {
                tracing::warn!(
                    count = reply.deleted_ids.len(),
                    "pending events were trimmed from the stream before anyone acknowledged them"
                );
            }
            taken.extend(reply.claimed.into_iter().map(StoredEvent::from));
            cursor = reply.next_stream_id;
            if cursor == "0-0" || taken.len() >= count {
                return Ok(taken);
            }
        }
    }

    /// How many events the group has delivered and not yet had acknowledged,
    /// over all its consumers (`XPENDING` summary).
    pub async fn pending(&self) -> Result<u64, RedisError> {
        let (stream, group) = (self.stream.clone(), self.group.clone());
        let summary: redis::Value = self
            .redis
            .run(|mut c| async move {
                redis::cmd("XPENDING")
                    .arg(stream)
                    .arg(group)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        match summary {
            redis::Value::Array(items) => match items.into_iter().next() {
                Some(first) => redis::from_redis_value(first)
                    .map_err(|e| RedisError::Redis(format!("XPENDING answer: {e}"))),
                None => Ok(0),
            },
            other => Err(RedisError::Redis(format!(
                "unexpected XPENDING answer: {other:?}"
            ))),
        }
    }
}

/// Runs a stream read that may block, in steps of at most half the answer
/// timeout (so a long `block` never trips the timeout), until entries arrive
/// or `block` has passed. `make` builds the command for one step (`None`: do
/// not block).
pub(crate) async fn blocking<F>(
    redis: &Redis,
    block: Duration,
    make: F,
) -> Result<Vec<StoredEvent>, RedisError>
where
    F: Fn(Option<u64>) -> redis::Cmd,
{
    let step = (redis.response_timeout() / 2).max(Duration::from_millis(1));
    let deadline = Instant::now() + block;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now()).min(step);
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let cmd = make((ms > 0).then_some(ms));
        let reply: Option<StreamReadReply> = redis
            .run(|mut c| async move { cmd.query_async(&mut c).await })
            .await?;
        let events = entries(reply);
        if !events.is_empty() || ms == 0 || Instant::now() >= deadline {
            return Ok(events);
        }
    }
}
