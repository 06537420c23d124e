//! The enterprise form, checked: every field parsed into its domain type, or the field named.
use super::EnterpriseForm;
use crate::error::AppError;
use crate::people::credit_code::{CreditCode, CreditCodeError};
use crate::people::reason::InclusionReason;

/// An enterprise as the form describes it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseInput {
    pub name: String,
    pub credit_code: CreditCode,
    pub district_id: i64,
    pub reason: InclusionReason,
}

pub fn parse_enterprise(form: &EnterpriseForm) -> Result<EnterpriseInput, AppError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation("name", "name_required"));
    }
    let credit_code = CreditCode::parse(&form.credit_code).map_err(|e| {
        AppError::validation(
            "credit_code",
            match e {
                CreditCodeError::Length(_) => "credit_code_length",
                CreditCodeError::Character { .. } => "credit_code_character",
                CreditCodeError::CheckDigit { .. } => "credit_code_check",
            },
        )
    })?;
    let district_id = form
        .district
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::validation("district_id", "district_required"))?;
    let reason = InclusionReason::parse(&form.reason)
        .ok_or(AppError::validation("inclusion_reason", "reason_invalid"))?;
    Ok(EnterpriseInput {
        name: name.to_string(),
        credit_code,
        district_id,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::credit_code::check_char;

    fn form(name: &str, code: &str, district: &str, reason: &str) -> EnterpriseForm {
        EnterpriseForm {
            id: 0,
            name: name.into(),
            credit_code: code.into(),
            district: district.into(),
            reason: reason.into(),
        }
    }

    fn good_code() -> String {
        let first = "91120116MA05JX0A0";
        format!("{first}{}", check_char(first).unwrap())
    }

    fn field_of(r: Result<EnterpriseInput, AppError>) -> (String, String) {
        match r {
            Err(AppError::Validation { field, message }) => (field, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_form_parses_and_the_code_is_normalised() {
        let lower = good_code().to_lowercase();
        let e = parse_enterprise(&form(
            " 天津甲化工有限公司 ",
            &format!(" {lower} "),
            "3",
            "燃煤",
        ))
        .unwrap();
        assert_eq!(e.name, "天津甲化工有限公司");
        assert_eq!(e.credit_code.as_str(), good_code());
        assert_eq!(e.district_id, 3);
        assert_eq!(e.reason, InclusionReason::Coal);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let code = good_code();
        assert_eq!(
            field_of(parse_enterprise(&form(" ", &code, "3", "coal"))),
            ("name".into(), "name_required".into())
        );
        assert_eq!(
            field_of(parse_enterprise(&form("甲", "9112", "3", "coal"))),
            ("credit_code".into(), "credit_code_length".into())
        );
        let mut wrong = code.clone();
        let last = if wrong.ends_with('0') { '1' } else { '0' };
        wrong.pop();
        wrong.push(last);
        assert_eq!(
            field_of(parse_enterprise(&form("甲", &wrong, "3", "coal"))),
            ("credit_code".into(), "credit_code_check".into())
        );
        assert_eq!(
            field_of(parse_enterprise(&form("甲", &code, "", "coal"))),
            ("district_id".into(), "district_required".into())
        );
        assert_eq!(
            field_of(parse_enterprise(&form("甲", &code, "3", "造纸"))),
            ("inclusion_reason".into(), "reason_invalid".into())
        );
    }
}
