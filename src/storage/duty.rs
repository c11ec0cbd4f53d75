//! The duty roster: the organisation's duty officers, woken for weekend emergencies, and each
//! department's people on call for official comments (Sakhalin 3.9).

use chrono::NaiveDate;
use sqlx::Row;

use super::Writer;
use super::{on_pool, StorageError, Store};
use crate::domain::{DepartmentId, OrgId, PersonId};

/// A duty shift: the person answers emergencies on these dates (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyShift {
    pub person: PersonId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub phone: Option<String>,
    /// The department the person is on call for (Sakhalin 3.9: official comments); `None`: the
    /// organisation's duty officer, woken for weekend emergencies.
    pub department: Option<DepartmentId>,
}

/// A department's person on call on a date, with the phone to reach them (Sakhalin 3.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentDuty {
    pub department: DepartmentId,
    pub person: PersonId,
    pub phone: Option<String>,
}

/// Inserts a shift: organisation, person, first and last day, phone, department (here and in a
/// directory change's transaction).
pub(super) const INSERT_SHIFT: &str = "INSERT INTO duty_roster (org_id, person_id, starts_on, ends_on, phone, department_id) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// Adds a duty shift.
    pub async fn add_duty(&self, org: OrgId, d: &DutyShift) -> Result<(), StorageError> {
        if d.to < d.from {
            return Err(StorageError::Invalid(
                "a duty shift must end on or after its start".into(),
            ));
        }
        on_pool!(self, pool => {
            sqlx::query(INSERT_SHIFT)
                .bind(org.0)
                .bind(d.person.0)
                .bind(d.from)
                .bind(d.to)
                .bind(&d.phone)
                .bind(d.department.map(|x| x.0))
                .execute(pool.writer(self))
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Who is on duty for the organisation on a local date (departments' people on call are
    /// `department_duty`).
    pub async fn on_duty(
        &self,
        org: OrgId,
        date: NaiveDate,
    ) -> Result<Vec<PersonId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query(
                "SELECT d.person_id FROM duty_roster d JOIN people p ON p.id = d.person_id
                 WHERE d.org_id = $1 AND d.starts_on <= $2 AND d.ends_on >= $2 AND p.active
                   AND d.department_id IS NULL
                 ORDER BY d.person_id",
            )
            .bind(org.0)
            .bind(date)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("person_id"))
            .collect::<Result<Vec<_>, _>>()?
        });
        let mut ids: Vec<PersonId> = ids.into_iter().map(PersonId).collect();
        ids.dedup();
        Ok(ids)
    }

    /// Each department's people on call on a local date, with the shift's phone or else the
    /// person's (Sakhalin 3.9), by department and name.
    pub async fn department_duty(
        &self,
        org: OrgId,
        date: NaiveDate,
    ) -> Result<Vec<DepartmentDuty>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT d.department_id, d.person_id, COALESCE(d.phone, p.phone) AS phone
                 FROM duty_roster d JOIN people p ON p.id = d.person_id
                 WHERE d.org_id = $1 AND d.starts_on <= $2 AND d.ends_on >= $2 AND p.active
                   AND d.department_id IS NOT NULL
                 ORDER BY d.department_id, p.full_name, d.id",
            )
            .bind(org.0)
            .bind(date)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok(DepartmentDuty {
                    department: DepartmentId(r.try_get("department_id")?),
                    person: PersonId(r.try_get("person_id")?),
                    phone: r.try_get("phone")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        let mut rows = rows;
        rows.dedup_by(|a, b| a.department == b.department && a.person == b.person);
        Ok(rows)
    }
}
