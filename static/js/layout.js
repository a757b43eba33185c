/* Layout helpers for tablet and laptop widths (static/css/khuyencong.css says what each is for).
 *
 * 1. A list's filters: open beside the list from 1200 px, a closed drawer above it below.
 * 2. The export menu closes on Escape or a click elsewhere.
 * 3. The rows of a form's tables become cards below 1200 px: each cell carries its column's name.
 * 4. A refused form opens on its banner of errors.
 */
"use strict";
(function () {
    const wide = window.matchMedia("(min-width: 1200px)");

    function placeFilters() {
        document.querySelectorAll("details.filter-drawer").forEach(function (drawer) {
            drawer.open = wide.matches;
        });
    }

    function closeMenus(except) {
        document.querySelectorAll(".export-menu details[open]").forEach(function (menu) {
            if (menu !== except) {
                menu.open = false;
            }
        });
    }

    function labelCells(root) {
        (root || document).querySelectorAll(".inline-group .tabular table").forEach(function (table) {
            const names = [...table.querySelectorAll("thead th")].map(function (th) {
                return th.textContent.replace(/\s+/g, " ").trim();
            });
            table.querySelectorAll("tbody tr.form-row").forEach(function (row) {
                [...row.children].forEach(function (cell, index) {
                    if (names[index] && !cell.hasAttribute("data-label")) {
                        cell.setAttribute("data-label", names[index]);
                    }
                });
            });
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        // A refused form opens on what is wrong (the banner lists it, each line a link to its field).
        const summary = document.getElementById("error-summary");
        if (summary) {
            summary.focus();
        }
        placeFilters();
        wide.addEventListener("change", placeFilters);
        labelCells(document);
        // "Thêm …" adds a row to a table: label it too.
        document.addEventListener("formset:added", function () {
            labelCells(document);
        });
        document.addEventListener("click", function (event) {
            closeMenus(event.target.closest(".export-menu details"));
        });
        document.addEventListener("keydown", function (event) {
            if (event.key === "Escape") {
                closeMenus(null);
            }
        });
    });
})();
