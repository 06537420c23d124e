//! Writes that arrive together, written together (group commit). When a room does the same
//! thing in the same second (scans the projected code, submits the quiz), each request used to
//! wait for SQLite's one writer and then write alone: begin, a few statements, commit. Under a
//! burst those turns, one after another, made the slowest requests. Here a request joins a
//! queue and waits for the turn; whoever gets it writes everything queued by then in one
//! transaction, a few statements for the whole batch, then tells each request what became of
//! its job. On PostgreSQL, which takes concurrent writers, nobody waits: a request writes
//! whatever is queued at that moment, often just its own.
//!
//! A queue belongs to one server (it is in `AppState`), so jobs for one database are never
//! written into another. The batch is written by a task of its own: a request whose browser
//! goes away mid-write cannot cancel the others in its batch. (A request dropped while it waits
//! for the turn leaves its job queued; the next request's batch writes it.)
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

/// How one kind of job is written in batches.
pub trait BatchWrite: 'static {
    type Job: Send + 'static;
    type Outcome: Send + 'static;
    /// What to call the jobs in the log when a batch fails.
    const WHAT: &'static str;
    /// Writes `jobs` in one transaction; returns the outcome of each, in order.
    fn write(
        db: &DatabaseConnection,
        jobs: &[Self::Job],
    ) -> impl Future<Output = Result<Vec<Self::Outcome>, DbErr>> + Send;
}

struct Waiting<W: BatchWrite> {
    job: W::Job,
    reply: oneshot::Sender<Result<W::Outcome, ()>>,
}

/// One server's queue of jobs of one kind waiting to be written.
pub struct WriteQueue<W: BatchWrite> {
    waiting: Mutex<Vec<Waiting<W>>>,
}

impl<W: BatchWrite> Default for WriteQueue<W> {
    fn default() -> Self {
        WriteQueue {
            waiting: Mutex::new(Vec::new()),
        }
    }
}

impl<W: BatchWrite> std::fmt::Debug for WriteQueue<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteQueue")
            .field("what", &W::WHAT)
            .field("waiting", &self.lock().len())
            .finish()
    }
}

impl<W: BatchWrite> WriteQueue<W> {
    fn lock(&self) -> MutexGuard<'_, Vec<Waiting<W>>> {
        // The lock guards a push or a take, which cannot panic half-way.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `job` with whatever else is queued; its outcome once the batch is committed.
    pub async fn write(&self, db: &DatabaseConnection, job: W::Job) -> AppResult<W::Outcome> {
        let (reply, answer) = oneshot::channel();
        self.lock().push(Waiting { job, reply });
        let turn = crate::db::writer_turn(db).await;
        let batch = std::mem::take(&mut *self.lock());
        if !batch.is_empty() {
            let db = db.clone();
            tokio::spawn(async move {
                let _turn = turn;
                let (jobs, replies): (Vec<_>, Vec<_>) =
                    batch.into_iter().map(|w| (w.job, w.reply)).unzip();
                match W::write(&db, &jobs).await {
                    Ok(outcomes) if outcomes.len() == replies.len() => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    outcome => {
                        match outcome {
                            Err(err) => {
                                tracing::error!(error = %err, jobs = jobs.len(), "{} not written", W::WHAT)
                            }
                            Ok(o) => tracing::error!(
                                jobs = jobs.len(),
                                outcomes = o.len(),
                                "{}: an outcome per job was expected",
                                W::WHAT
                            ),
                        }
                        for reply in replies {
                            let _ = reply.send(Err(()));
                        }
                    }
                }
            });
        }
        // Someone (this request, or one ahead of it in the line) has taken the job; the answer
        // comes when their transaction is done.
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            _ => Err(AppError::Internal),
        }
    }
}
