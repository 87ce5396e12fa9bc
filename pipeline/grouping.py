"""Splitting a batch into applications (documents.md, "One application = one
envelope"): an application form starts an application; the pages after it, up
to the next form, belong to it. Pages before the first form belong to none."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.domain import PageAnalysis, PageKind


@dataclass(frozen=True)
class PageGroup:
    seq: int
    pages: tuple[PageAnalysis, ...]
    identified: bool  # False for pages that come before any form

    @property
    def form(self) -> PageAnalysis | None:
        return next((p for p in self.pages if p.kind is PageKind.FORM), None)

    def of_kind(self, kind: PageKind) -> list[PageAnalysis]:
        return [p for p in self.pages if p.kind is kind]


def split_applications(pages: list[PageAnalysis]) -> list[PageGroup]:
    groups: list[list[PageAnalysis]] = []
    leading: list[PageAnalysis] = []
    for page in sorted(pages, key=lambda p: p.seq):
        if page.kind is PageKind.FORM:
            groups.append([page])
        elif groups:
            groups[-1].append(page)
        else:
            leading.append(page)
    result: list[PageGroup] = []
    # Blank pages before the first form are back sides with nothing to tie; only
    # pages with content make an UNIDENTIFIED row.
    if any(p.kind is not PageKind.BLANK for p in leading):
        result.append(PageGroup(seq=0, pages=tuple(leading), identified=False))
    for group in groups:
        result.append(PageGroup(seq=len(result), pages=tuple(group), identified=True))
    return result
