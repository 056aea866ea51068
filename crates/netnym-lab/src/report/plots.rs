//! The report's SVG plots, drawn with plotters from the result files.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;
use crate::collusion::CollusionResults;
use crate::unlinkability::{DesignScores, UnlinkabilityResults};

fn plot_err(name: &'static str) -> impl Fn(String) -> ReportError {
    move |e| ReportError::Plot(name, e)
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x8c, 0x56, 0x4b),
];

/// Advantage per design and control (groups) and adversary (bars) in one view.
pub(super) fn advantage_svg(u: &UnlinkabilityResults, view: &str) -> Result<String, ReportError> {
    let err = plot_err("advantage");
    let mut svg = String::new();
    {
        let targets: Vec<&DesignScores> = u.designs.iter().chain(&u.controls).collect();
        let width = u32::try_from(160 * targets.len().max(4) + 100).unwrap_or(2000);
        let root = SVGBackend::with_string(&mut svg, (width, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let in_view = |d: &DesignScores| {
            d.views
                .iter()
                .find(|v| v.view == view)
                .map(|v| v.adversaries.clone())
                .unwrap_or_default()
        };
        let adversaries: Vec<String> = targets
            .first()
            .map(|d| in_view(d).iter().map(|a| a.adversary.clone()).collect())
            .unwrap_or_default();
        #[allow(clippy::cast_precision_loss)]
        let groups = targets.len() as f64;
        #[allow(clippy::cast_precision_loss)]
        let per = adversaries.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("View {view}: advantage |2p-1| per design / control and adversary, 95% CI"),
                ("sans-serif", 20),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5f64..groups - 0.5, 0f64..1.05f64)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc("advantage")
            .x_label_formatter(&|_| String::new())
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let slot = 0.9 / per;
        for (g, d) in targets.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let center = g as f64;
            for (i, a) in in_view(d).iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let x0 = center - 0.45 + slot * i as f64;
                let color = PALETTE[i % PALETTE.len()];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (x0 + 0.05 * slot, 0.0),
                            (x0 + 0.95 * slot, a.advantage.max(0.004)),
                        ],
                        color.filled(),
                    )))
                    .map_err(|e| err(e.to_string()))?;
                let xm = x0 + slot / 2.0;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(xm, a.advantage_ci95.lo), (xm, a.advantage_ci95.hi)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(|e| err(e.to_string()))?;
            }
            let (px, py) = chart.backend_coord(&(center, 0.0));
            root.draw(&Text::new(
                d.design.clone(),
                (px, py + 8),
                ("sans-serif", 14)
                    .into_font()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(|e| err(e.to_string()))?;
        }
        for (i, name) in adversaries.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, -1.0), (0.0, -1.0)],
                    color.filled(),
                )))
                .map_err(|e| err(e.to_string()))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

pub(super) fn linking_svg(c: &CollusionResults) -> Result<String, ReportError> {
    let err = plot_err("linking");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        #[allow(clippy::cast_precision_loss)]
        let kmax = c.platforms.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Accounts linked by the authority + k platforms (coinciding curves overlap)",
                ("sans-serif", 20),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..kmax, 0f64..1.05f64)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("k (platforms in the coalition)")
            .y_desc("fraction of accounts linked")
            .draw()
            .map_err(|e| err(e.to_string()))?;
        for (i, d) in c.designs.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            #[allow(clippy::cast_precision_loss)]
            let points: Vec<(f64, f64)> = d
                .coalitions
                .iter()
                .map(|p| (p.k as f64, p.linked_fraction))
                .collect();
            // Decreasing widths keep coinciding curves visible (b and c often coincide).
            #[allow(clippy::cast_possible_truncation)]
            let width = 10u32.saturating_sub(2 * i as u32).max(2);
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(width)))
                .map_err(|e| err(e.to_string()))?
                .label(d.design.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

pub(super) fn ladder_svg(c: &CollusionResults) -> Result<String, ReportError> {
    let err = plot_err("anonymity");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        #[allow(clippy::cast_precision_loss)]
        let n = c.anonymity_ladder.len() as f64;
        #[allow(clippy::cast_precision_loss)]
        let top = (c.config.population as f64).log10().ceil().max(1.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Expected anonymity set (log10) vs what a request reveals",
                ("sans-serif", 20),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(240)
            .build_cartesian_2d(0f64..top, -0.5f64..n - 0.5)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("log10 E[anonymity set]")
            .y_label_formatter(&|_| String::new())
            .draw()
            .map_err(|e| err(e.to_string()))?;
        for (i, step) in c.anonymity_ladder.iter().enumerate() {
            // Top row first.
            #[allow(clippy::cast_precision_loss)]
            let y = n - 1.0 - i as f64;
            let v = step.exposure.expected_anonymity_set.max(1.0).log10();
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.35), (v.max(0.01), y + 0.35)],
                    PALETTE[3].filled(),
                )))
                .map_err(|e| err(e.to_string()))?;
            let (px, py) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                format!(
                    "{} ({:.1})",
                    step.label, step.exposure.expected_anonymity_set
                ),
                (px - 8, py),
                ("sans-serif", 13)
                    .into_font()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}
