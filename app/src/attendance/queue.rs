//! QR check-ins written together (see `crate::db::queue`). When a room scans the projected
//! code in the same second, the scans waiting for SQLite's one writer are written in one
//! transaction: a read of the seats already marked, one insert of the new marks, one of their
//! history; each scan is then told what happened to its mark.
use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
    TryInsertResult,
};

use super::entity::{attendance, attendance_change};
use super::service::{change_row, insert_of, KEY};
use crate::db::queue::{BatchWrite, WriteQueue};

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

/// Check-in marks, written in batches.
pub struct CheckIns;

impl BatchWrite for CheckIns {
    type Job = attendance::Model;
    type Outcome = Written;
    const WHAT: &'static str = "check-ins";
    fn write(
        db: &DatabaseConnection,
        marks: &[attendance::Model],
    ) -> impl std::future::Future<Output = Result<Vec<Written>, DbErr>> + Send {
        write(db, marks)
    }
}

/// One server's queue of check-ins waiting to be written.
pub type CheckInQueue = WriteQueue<CheckIns>;

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
    for chunk in fresh.chunks(crate::db::BATCH) {
        // Another process may have marked a seat since the read (PostgreSQL); the rows
        // returned are exactly the ones stored here.
        let stored: HashSet<Seat> =
            match attendance::Entity::insert_many(chunk.iter().map(|&i| insert_of(&marks[i])))
                .on_conflict_do_nothing_on(KEY)
                .exec_with_returning_many(&txn)
                .await?
            {
                TryInsertResult::Inserted(rows) => rows.iter().map(seat).collect(),
                _ => HashSet::new(),
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
