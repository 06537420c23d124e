//! QR check-ins written together. When a room scans the projected code in the same second, each
//! scan used to wait for SQLite's one writer and then write alone: begin, two inserts, commit.
//! Under a burst those turns, one after another, made the slowest requests. Here a scan joins a
//! queue and waits for the turn; whoever gets it writes everything queued by then in one
//! transaction (a read of the seats already marked, one insert of the new marks, one of their
//! history), then tells each scan what happened to its mark. On PostgreSQL, which takes
//! concurrent writers, nobody waits: a scan writes whatever is queued at that moment, often
//! just its own.
//!
//! The queue belongs to one server (it is in `AppState`), so marks for one database are never
//! written into another. The batch is written by a task of its own: a scan whose browser goes
//! away mid-write cannot cancel the other scans in its batch. (A scan dropped while it waits for
//! the turn leaves its mark queued; the next scan's batch writes it: the trainee did scan.)
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait, TryInsertResult,
};
use tokio::sync::oneshot;

use super::entity::{attendance, attendance_change};
use super::service::{change_row, insert_of, KEY};
use crate::error::{AppError, AppResult};

/// What became of a mark sent through the queue.
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    /// Stored now: this was the first scan.
    New,
    /// The seat was already marked (a second scan, or marked by the roll call): nothing written.
    Existing(attendance::Model),
    /// Not decided here (the same seat twice in one batch, or a race with another server
    /// process): the caller writes it alone, the careful way.
    Retry,
}

/// The session, person and period a mark is for.
type Seat = (i64, i64, i32);

fn seat(m: &attendance::Model) -> Seat {
    (m.session_id, m.person_id, m.period)
}

struct Waiting {
    mark: attendance::Model,
    reply: oneshot::Sender<Result<Written, ()>>,
}

/// One server's queue of check-ins waiting to be written.
#[derive(Default)]
pub struct CheckInQueue {
    waiting: Mutex<Vec<Waiting>>,
}

impl std::fmt::Debug for CheckInQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckInQueue")
            .field("waiting", &self.lock().len())
            .finish()
    }
}

impl CheckInQueue {
    fn lock(&self) -> MutexGuard<'_, Vec<Waiting>> {
        // The lock guards a push or a take, which cannot panic half-way.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `mark` (with its history row) unless its seat is already marked.
    pub async fn record(
        &self,
        db: &DatabaseConnection,
        mark: attendance::Model,
    ) -> AppResult<Written> {
        let (reply, answer) = oneshot::channel();
        self.lock().push(Waiting { mark, reply });
        let turn = crate::db::writer_turn(db).await;
        let batch = std::mem::take(&mut *self.lock());
        if !batch.is_empty() {
            let db = db.clone();
            tokio::spawn(async move {
                let _turn = turn;
                let marks: Vec<_> = batch.iter().map(|w| w.mark.clone()).collect();
                let outcome = write(&db, &marks).await;
                if let Err(err) = &outcome {
                    tracing::error!(error = %err, marks = marks.len(), "check-ins not written");
                }
                for (i, w) in batch.into_iter().enumerate() {
                    let _ = w.reply.send(match &outcome {
                        Ok(written) => Ok(written[i].clone()),
                        Err(_) => Err(()),
                    });
                }
            });
        }
        // Someone (this scan, or one ahead of it in the line) has taken the mark; the answer
        // comes when their transaction is done.
        match answer.await {
            Ok(Ok(written)) => Ok(written),
            _ => Err(AppError::Internal),
        }
    }
}

/// Writes a batch of marks in one transaction; the outcome of each, in order.
async fn write(
    db: &DatabaseConnection,
    marks: &[attendance::Model],
) -> Result<Vec<Written>, DbErr> {
    let txn = db.begin().await?;
    let sessions: HashSet<i64> = marks.iter().map(|m| m.session_id).collect();
    let people: Vec<i64> = marks
        .iter()
        .map(|m| m.person_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut marked: HashMap<Seat, attendance::Model> = HashMap::new();
    for chunk in people.chunks(crate::db::BATCH) {
        for row in attendance::Entity::find()
            .filter(attendance::Column::SessionId.is_in(sessions.iter().copied()))
            .filter(attendance::Column::PersonId.is_in(chunk.iter().copied()))
            .all(&txn)
            .await?
        {
            marked.insert(seat(&row), row);
        }
    }
    let mut written = vec![Written::Retry; marks.len()];
    let mut fresh = Vec::new();
    let mut queued = HashSet::new();
    for (i, m) in marks.iter().enumerate() {
        if let Some(row) = marked.get(&seat(m)) {
            written[i] = Written::Existing(row.clone());
        } else if queued.insert(seat(m)) {
            fresh.push(i);
        }
    }
    let returning = db.support_returning();
    for chunk in fresh.chunks(crate::db::BATCH) {
        let insert = attendance::Entity::insert_many(chunk.iter().map(|&i| insert_of(&marks[i])))
            .on_conflict_do_nothing_on(KEY);
        let stored: HashSet<Seat> = if returning {
            // PostgreSQL: another process may have marked a seat since the read; the rows
            // returned are exactly the ones stored here.
            match insert.exec_with_returning_many(&txn).await? {
                TryInsertResult::Inserted(rows) => rows.iter().map(seat).collect(),
                _ => HashSet::new(),
            }
        } else {
            // SQLite: this process holds the one writer's turn and read the seats inside this
            // transaction, so every row goes in; should a count ever differ, nobody is told
            // "new" on a guess.
            match insert.exec_without_returning(&txn).await? {
                TryInsertResult::Inserted(n) if n as usize == chunk.len() => {
                    chunk.iter().map(|&i| seat(&marks[i])).collect()
                }
                _ => HashSet::new(),
            }
        };
        for &i in chunk {
            if stored.contains(&seat(&marks[i])) {
                written[i] = Written::New;
            }
        }
    }
    let history: Vec<_> = marks
        .iter()
        .zip(&written)
        .filter(|(_, w)| **w == Written::New)
        .map(|(m, _)| history_of(m))
        .collect();
    for chunk in history.chunks(crate::db::BATCH) {
        attendance_change::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}

/// The history row of a mark made by a scan: by the trainee, at the scan.
fn history_of(m: &attendance::Model) -> attendance_change::ActiveModel {
    change_row(m, m.updated_by.unwrap_or(m.person_id), m.updated_at)
}
