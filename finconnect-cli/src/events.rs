//! `finconnect events`: watching the durable event stream of a fleet's
//! callback services in Redis.

use clap::{Args, Subcommand};
use finconnect_redis::{Consumer, EventStream, RedisConfig, RedisError, StoredEvent};
use std::time::Duration;

/// `finconnect events` subcommands.
#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(subcommand)]
    command: EventsCommand,
}

#[derive(Subcommand, Debug)]
enum EventsCommand {
    /// Print the stream's events as JSON lines (one object per event: its
    /// entry `id` and the event's fields: key, provider, trust, status,
    /// reference, amount in minor units, …).
    ///
    /// Without --group: a read-only tail (acknowledges nothing; new events
    /// only, or all with --from-start). With --group: consumes as a member of
    /// that consumer group, acknowledging each event once printed.
    /// Exit status: 0 after --count events or Ctrl-C, 1 when Redis fails,
    /// 2 usage error.
    Tail(TailArgs),
}

#[derive(Args, Debug)]
struct TailArgs {
    /// Redis URL: redis://[user:password@]host[:port][/db], or rediss:// for TLS.
    #[arg(
        long,
        value_name = "URL",
        env = "FINCONNECT_REDIS_URL",
        hide_env_values = true
    )]
    redis: String,
    /// The key prefix the callback services use.
    #[arg(long, default_value = "finconnect")]
    prefix: String,
    /// The stream's name.
    #[arg(long, default_value = "events")]
    stream: String,
    /// Consume as a member of this consumer group (created if missing, from
    /// the stream's start), acknowledging what is printed.
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    /// This consumer's name in the group (default: finconnect-cli-<pid>).
    #[arg(long, value_name = "NAME", requires = "group")]
    consumer: Option<String>,
    /// Read-only tail: start at the stream's first event instead of new ones.
    #[arg(long, conflicts_with = "group")]
    from_start: bool,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

/// Runs `finconnect events …`; returns the exit status.
pub async fn run(args: EventsArgs) -> i32 {
    match args.command {
        EventsCommand::Tail(args) => tail(args).await,
    }
}

async fn tail(args: TailArgs) -> i32 {
    let config = match RedisConfig::from_url(&args.redis) {
        Ok(c) => c.prefix(args.prefix.clone()),
        Err(e) => {
            eprintln!("finconnect events tail: {e}");
            return 2;
        }
    };
    tokio::select! {
        code = follow(&config, &args) => code,
        _ = tokio::signal::ctrl_c() => 0,
    }
}

async fn follow(config: &RedisConfig, args: &TailArgs) -> i32 {
    match follow_inner(config, args).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("finconnect events tail: {e}");
            1
        }
    }
}

const BATCH: usize = 100;
const BLOCK: Duration = Duration::from_secs(5);

async fn follow_inner(config: &RedisConfig, args: &TailArgs) -> Result<(), RedisError> {
    let redis = config.connect()?;
    redis.ping().await?;
    let stream = EventStream::named(&redis, &args.stream);
    let mut printed = 0u64;
    if args.count == Some(0) {
        return Ok(());
    }
    if let Some(group) = &args.group {
        let name = args
            .consumer
            .clone()
            .unwrap_or_else(|| format!("finconnect-cli-{}", std::process::id()));
        let consumer = Consumer::join(config, &stream, group, &name).await?;
        loop {
            let want = batch(args.count, printed);
            for event in consumer.read(want, BLOCK).await? {
                let enough = print(&event, &mut printed, args.count);
                consumer.ack(&event.id).await?;
                if enough {
                    return Ok(());
                }
            }
        }
    }
    let mut after = if args.from_start {
        "0".to_owned()
    } else {
        stream.last_id().await?.unwrap_or_else(|| "0".to_owned())
    };
    loop {
        for event in stream.read_after(&after, BATCH, BLOCK).await? {
            after = event.id.clone();
            if print(&event, &mut printed, args.count) {
                return Ok(());
            }
        }
    }
}

/// Prints one event; whether --count is reached.
fn print(event: &StoredEvent, printed: &mut u64, count: Option<u64>) -> bool {
    println!("{}", event.to_json());
    *printed += 1;
    count.is_some_and(|n| *printed >= n)
}

/// How many to read: a batch, or fewer when --count is nearly reached (a
/// consumer must not take events it will not print and acknowledge).
fn batch(count: Option<u64>, printed: u64) -> usize {
    match count {
        Some(n) => usize::try_from(n.saturating_sub(printed))
            .unwrap_or(BATCH)
            .clamp(1, BATCH),
        None => BATCH,
    }
}
