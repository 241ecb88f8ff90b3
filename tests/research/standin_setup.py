"""What the research tests share besides fixtures: the token the stand-in façade demands."""

TOKEN = "standin-key-5b1e0c9d"
