"""The municipal registry: oblasts, districts, municipalities and the associations they belong to."""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, enum_column


class MunicipalityKind(enum.StrEnum):
    AYIL_AIMAK = "ayil_aimak"
    CITY = "city"
    TOWN = "town"


def _localized(name_ru: str, name_ky: str | None, locale: str) -> str:
    """Kyrgyz name when asked and known, the Russian one otherwise (the registry may lack Kyrgyz)."""
    if locale == "ky" and name_ky:
        return name_ky
    return name_ru


def search_key(*names: str | None) -> str:
    """Lower-cased names for substring search, made in Python since SQLite's lower() is ASCII-only."""
    return " | ".join(name.casefold().replace("ё", "е") for name in names if name)


class Oblast(Base):
    __tablename__ = "oblast"

    id: Mapped[int] = mapped_column(primary_key=True)
    soate: Mapped[str] = mapped_column(String(14), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str | None] = mapped_column(String(200))

    def name(self, locale: str) -> str:
        return _localized(self.name_ru, self.name_ky, locale)


class District(Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    soate: Mapped[str] = mapped_column(String(14), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str | None] = mapped_column(String(200))
    oblast_id: Mapped[int] = mapped_column(ForeignKey("oblast.id", ondelete="RESTRICT"), index=True)

    oblast: Mapped[Oblast] = relationship(lazy="joined")

    def name(self, locale: str) -> str:
        return _localized(self.name_ru, self.name_ky, locale)


class Municipality(Base):
    """An LSG body: an ayil aimak (ayil okmotu), a city or a town, identified by its СОАТЕ code."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    soate: Mapped[str] = mapped_column(String(14), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[MunicipalityKind] = mapped_column(enum_column(MunicipalityKind))
    oblast_id: Mapped[int] = mapped_column(ForeignKey("oblast.id", ondelete="RESTRICT"), index=True)
    # Cities of oblast rank sit directly under their oblast, without a district.
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("district.id", ondelete="RESTRICT"), index=True
    )
    population: Mapped[int | None] = mapped_column(BigInteger)
    search_name: Mapped[str] = mapped_column(String(500), index=True)

    oblast: Mapped[Oblast] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")

    def name(self, locale: str) -> str:
        return _localized(self.name_ru, self.name_ky, locale)

    def full_name(self, locale: str) -> str:
        """Name with its district and oblast, for places where the bare name is ambiguous."""
        parts = [self.name(locale)]
        if self.district is not None:
            parts.append(self.district.name(locale))
        if self.oblast.soate != self.soate:
            parts.append(self.oblast.name(locale))
        return ", ".join(parts)


class Association(Base):
    """An association of LSG bodies (e.g. the Union of LSG bodies)."""

    __tablename__ = "association"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(300), unique=True)
    name_ky: Mapped[str | None] = mapped_column(String(300))

    def name(self, locale: str) -> str:
        return _localized(self.name_ru, self.name_ky, locale)


class AssociationMembership(Base):
    __tablename__ = "association_membership"

    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True
    )
