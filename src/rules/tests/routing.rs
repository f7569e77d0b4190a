//! Routing by spreadsheet, id, title and fallback; every refused rule is listed.

use std::collections::BTreeMap;

use crate::rules::routing::sheet::SheetRow;
use crate::rules::routing::{RouteOwner, RouteTable};
use crate::rules::spec::{RouteSpec, SheetRouteSpec};

fn sheet_route(kind: &str, groups: &[&str]) -> RouteSpec {
    RouteSpec {
        sheet: vec![SheetRouteSpec {
            kind: kind.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }],
        ..Default::default()
    }
}

fn row(row: usize, name: &str, id: &str) -> SheetRow {
    SheetRow {
        row,
        name: name.into(),
        id: id.into(),
    }
}

fn aliases() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("M30M2".to_string(), "M2".to_string()),
        ("M30M".to_string(), "M1".to_string()),
    ])
}

const EJE_ID: &str = "69a20626a374a7e792002887";

#[test]
fn spreadsheet_rows_are_routed_or_listed_with_their_reason() {
    let eje = sheet_route("TEST DE EJE", &[]);
    let examen = sheet_route("Examen de Eje", &["M1", "M2"]);
    let owners = [
        RouteOwner {
            profile: "test_de_eje",
            route: &eje,
            fallback: false,
        },
        RouteOwner {
            profile: "examen_de_eje",
            route: &examen,
            fallback: false,
        },
    ];
    let rows = vec![
        row(1, "Nombre evaluación", "ID"),
        row(2, "M30M2-TEST DE EJE 1-DATA", EJE_ID),
        row(3, "M30M-EXAMEN DE EJE 2-DATA", "69A20626A374A7E792002888"),
        row(4, "M30M2-ENSAYO 1-DATA", "not-an-id"),
        row(5, "Diagnóstico M1", "69a20626a374a7e792002889"),
        row(6, "M30M2-TEST DE PRUEBA 1-DATA", "69a20626a374a7e792002890"),
        row(7, "M30M2-TEST DE EJE 2-DATA", "69a20626a374a7e792002891"),
        row(8, "M30M2-TEST DE EJE 3-DATA", "69a20626a374a7e792002891"),
        row(9, " m30m2 - test de eje 1 - data", EJE_ID),
        row(10, "H30M-EXAMEN DE EJE 1-DATA", "69a20626a374a7e792002892"),
    ];
    let t = RouteTable::build(&owners, Some(("config/ids.xlsx", rows)), &aliases());
    let sheet = t.sheet.as_ref().unwrap();
    let accepted: Vec<usize> = sheet.accepted.iter().map(|a| a.row).collect();
    assert_eq!(accepted, vec![2, 3]);
    let rejected: Vec<(usize, &str)> = sheet
        .rejected
        .iter()
        .map(|r| (r.row, r.reason.split(' ').next().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (4, "invalid"),
            (5, "the"),
            (6, "unknown"),
            (7, "conflicting"),
            (8, "conflicting"),
            (10, "unknown")
        ]
    );
    assert!(
        sheet.rejected[3].reason.contains("rows 7, 8"),
        "{:?}",
        sheet.rejected[3]
    );
    assert_eq!(
        sheet.notes.len(),
        2,
        "header and repeated row: {:?}",
        sheet.notes
    );

    let routed = t.route(EJE_ID, "Test de eje 1").unwrap();
    assert_eq!(routed.profile, "test_de_eje");
    assert_eq!(
        routed.assessment_name.as_deref(),
        Some("M30M2-TEST DE EJE 1-DATA")
    );
    assert_eq!(
        (routed.group.as_deref(), routed.number),
        (Some("M2"), Some(1))
    );
    let examen = t.route("69a20626a374a7e792002888", "").unwrap();
    assert_eq!(
        (examen.profile.as_str(), examen.group.as_deref()),
        ("examen_de_eje", Some("M1"))
    );

    let conflict = t.route("69a20626a374a7e792002891", "x").unwrap_err();
    assert_eq!(conflict.code, "route_rejected");
    assert!(
        conflict.reason.contains("row 7") && conflict.reason.contains("conflicting"),
        "{}",
        conflict.reason
    );
    assert_eq!(
        t.route("69a20626a374a7e792002889", "x").unwrap_err().code,
        "route_rejected"
    );
    let nowhere = t
        .route("69a20626a374a7e79200ffff", "Otra evaluación")
        .unwrap_err();
    assert_eq!(nowhere.code, "no_route");
    assert!(nowhere.reason.contains("Otra evaluación"));
}

#[test]
fn ids_win_over_titles_and_titles_over_the_fallback() {
    let by_id = RouteSpec {
        ids: vec![EJE_ID.to_uppercase()],
        ..Default::default()
    };
    let by_title = RouteSpec {
        titles: vec!["Ensayo PAES  Matemática ".into()],
        ..Default::default()
    };
    let seed = RouteSpec::default();
    let owners = [
        RouteOwner {
            profile: "test_de_eje",
            route: &by_id,
            fallback: false,
        },
        RouteOwner {
            profile: "ensayo",
            route: &by_title,
            fallback: false,
        },
        RouteOwner {
            profile: "seed_diagnostic",
            route: &seed,
            fallback: true,
        },
    ];
    let t = RouteTable::build(&owners, None, &aliases());
    assert_eq!(
        t.route(EJE_ID, "ensayo paes matematica").unwrap().profile,
        "test_de_eje"
    );
    assert_eq!(
        t.route("69a20626a374a7e79200ffff", "ENSAYO PAES MATEMÁTICA")
            .unwrap()
            .profile,
        "ensayo"
    );
    let fallback = t
        .route("69a20626a374a7e79200ffff", "Test de diagnóstico M1")
        .unwrap();
    assert_eq!(
        (fallback.profile.as_str(), fallback.via.as_str()),
        ("seed_diagnostic", "fallback")
    );
}

#[test]
fn an_id_claimed_by_two_profiles_is_refused_and_listed() {
    let a = RouteSpec {
        ids: vec![EJE_ID.into()],
        ..Default::default()
    };
    let b = sheet_route("TEST DE EJE", &[]);
    let owners = [
        RouteOwner {
            profile: "examen_de_eje",
            route: &a,
            fallback: false,
        },
        RouteOwner {
            profile: "test_de_eje",
            route: &b,
            fallback: false,
        },
    ];
    let rows = vec![row(1, "M30M2-TEST DE EJE 1-DATA", EJE_ID)];
    let t = RouteTable::build(&owners, Some(("ids.csv", rows)), &aliases());
    let err = t.route(EJE_ID, "").unwrap_err();
    assert_eq!(err.code, "route_rejected");
    assert!(
        err.reason.contains("examen_de_eje") && err.reason.contains("test_de_eje"),
        "{}",
        err.reason
    );
    assert_eq!(t.problems.len(), 1);
}
