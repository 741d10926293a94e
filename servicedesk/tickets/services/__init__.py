"""Every write to tickets goes through these services (see STYLE.md, "Where things live")."""
